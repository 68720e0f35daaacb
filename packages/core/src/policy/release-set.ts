import { PolicyError } from '../errors.js';
import { compareVersions, parseStrictVersion } from '../semver/version.js';
import type { ReleaseVersion } from '../semver/version.js';

/**
 * True when a `source` is a version pattern (it holds `*`), such as `1.5.0-staging.*` or `staging.*`,
 * rather than a tag or digest.
 */
export function isVersionPattern(source: string): boolean {
  return source.includes('*');
}

/**
 * Expands a version pattern to a full one: `1.5.0-staging.*` stays, a bare `staging.*` gets the base
 * version in front (`1.5.0-staging.*`), as compute-tags reads the base from `package.json`.
 *
 * @param pattern - `X.Y.Z-<pre>` where each `*` stands for one pre-release identifier, or `<pre>` alone.
 * @param base - `X.Y.Z`, needed when the pattern has none.
 * @returns the full pattern.
 * @throws PolicyError (`INVALID_PATTERN`) when the pattern is malformed or needs a base that is not given.
 */
export function expandVersionPattern(pattern: string, base?: string): string {
  const full = /^\d/.test(pattern) ? pattern : base === undefined ? undefined : `${base}-${pattern}`;
  if (full === undefined) {
    throw new PolicyError('INVALID_PATTERN', `version pattern ${JSON.stringify(pattern)} has no X.Y.Z base, and no base version was given (package.json)`);
  }
  // Every `*` replaced by a plain identifier must leave a SemVer 2.0 pre-release version.
  const probe = parseStrictVersion(full.replaceAll('*', '0'));
  if (!probe || !probe.isPrerelease || probe.build.length > 0 || !full.split('-').slice(1).join('-').includes('*')) {
    throw new PolicyError(
      'INVALID_PATTERN',
      `version pattern ${JSON.stringify(full)} is not X.Y.Z-<pre-release> with each \`*\` standing for a whole identifier (e.g. 1.5.0-staging.*)`,
    );
  }
  for (const identifier of full.split('-').slice(1).join('-').split('.')) {
    if (identifier.includes('*') && identifier !== '*') {
      throw new PolicyError('INVALID_PATTERN', `version pattern ${JSON.stringify(full)}: \`*\` must be a whole dot-separated identifier, not part of ${JSON.stringify(identifier)}`);
    }
  }
  return full;
}

/** Whether `tag` is a version the full `pattern` matches (each `*` one non-empty pre-release identifier). */
function matches(pattern: string, tag: string): ReleaseVersion | undefined {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[0-9A-Za-z-]+');
  if (!new RegExp(`^${source}$`).test(tag)) return undefined;
  return parseStrictVersion(tag);
}

/** The outcome of {@link pickCommonBuild}. */
export interface CommonBuildPick {
  /** The full pattern matched. */
  pattern: string;
  /** Each image's highest matching tag, or null when it holds none. */
  highest: Record<string, string | null>;
  /** The highest matching tag every image holds; undefined when none is common. */
  pick?: string;
  /** When there is no pick: the images lacking the highest match any image holds (or every image, when none holds one). */
  lacking: string[];
}

/**
 * Picks the build of a release set: the highest SemVer version matching `pattern` that **every** image
 * holds as a tag (SemVer 2.0 precedence, {@link https://semver.org/#spec-item-11 | §11}). Pure.
 *
 * @param pattern - a full pattern from {@link expandVersionPattern}, e.g. `1.5.0-staging.*`.
 * @param tagsByImage - each image (any key, e.g. `registry/repository`) to the tags it holds.
 * @returns each image's highest match, the common pick, or the images lacking one.
 */
export function pickCommonBuild(pattern: string, tagsByImage: Readonly<Record<string, readonly string[]>>): CommonBuildPick {
  const images = Object.keys(tagsByImage);
  const matched = new Map<string, Map<string, ReleaseVersion>>();
  const highest: Record<string, string | null> = {};
  for (const image of images) {
    const versions = new Map<string, ReleaseVersion>();
    for (const tag of tagsByImage[image] ?? []) {
      const version = matches(pattern, tag);
      if (version) versions.set(tag, version);
    }
    matched.set(image, versions);
    const sorted = [...versions.entries()].sort((a, b) => compareVersions(b[1], a[1]));
    highest[image] = sorted[0]?.[0] ?? null;
  }
  const [first, ...rest] = images;
  const common = first === undefined ? [] : [...(matched.get(first) ?? new Map<string, ReleaseVersion>()).entries()].filter(([tag]) => rest.every((image) => matched.get(image)?.has(tag)));
  common.sort((a, b) => compareVersions(b[1], a[1]));
  const pick = common[0]?.[0];
  if (pick !== undefined) return { pattern, highest, pick, lacking: [] };
  // Name the images lacking the newest build any image holds.
  const all = [...matched.values()].flatMap((versions) => [...versions.entries()]).sort((a, b) => compareVersions(b[1], a[1]));
  const newest = all[0]?.[0];
  const lacking = newest === undefined ? images : images.filter((image) => !matched.get(image)?.has(newest));
  return { pattern, highest, lacking };
}

/** One target of one image of a set, as far as the rollback decision needs it. */
export interface SetTargetState {
  image: string;
  tag: string;
  /** The digest before the promotion; null when the tag did not exist. */
  before: string | null;
  /** The digest the tag resolves to now (re-read); null when it does not exist or could not be read. */
  after: string | null;
  /** The digest the promotion wanted. */
  attempted: string;
}

/** What to do with one target after a failed set promotion. */
export interface SetRollbackStep {
  image: string;
  tag: string;
  /**
   * `restore`: put `before` back; `keep`: it is at `before` already (never moved, or the write failed);
   * `cannot-delete`: it did not exist before and now holds the new digest — the OCI distribution API
   * has no tag deletion (deleting the manifest would remove it from every tag), so it stays and is reported;
   * `unknown`: what it holds now could not be read, so it is restored to be sure when it existed before.
   */
  action: 'restore' | 'keep' | 'cannot-delete' | 'unknown';
}

/**
 * Plans the rollback of a failed set promotion: every target that moved goes back to its previous
 * digest. Pure.
 *
 * @param targets - every target of every image with before / after / attempted.
 * @returns one step per target, in the given order.
 */
export function planSetRollback(targets: readonly SetTargetState[]): SetRollbackStep[] {
  return targets.map(({ image, tag, before, after }) => {
    if (after !== null && after === before) return { image, tag, action: 'keep' };
    if (after === null && before === null) return { image, tag, action: 'keep' };
    if (before === null) return { image, tag, action: 'cannot-delete' };
    if (after === null) return { image, tag, action: 'unknown' };
    return { image, tag, action: 'restore' };
  });
}
