import escapeRegExp from 'escape-string-regexp';
import { readFile } from 'node:fs/promises';
import { ConfigurationError, PolicyError } from '../errors.js';
import { versionOfTag } from '../semver/version.js';
import { isFullCommitSha } from '../grammar/commit-sha.js';
import { isOciTag } from '../grammar/tag.js';
import type { TagStore } from './store.js';

/** Options of {@link reserveStagingTag}. */
export interface ReserveStagingTagOptions {
  /** The forge's tags ({@link TagStore}: `githubReleaseStore`, `forgejoReleaseStore`, or `githubTagStore`). */
  tags: TagStore;
  /** The base version `X.Y.Z` (a `v` prefix is kept in the tag); see {@link readBaseVersion}. */
  base: string;
  /** The commit to stage: a full commit sha (40 or 64 lowercase hex characters). */
  sha: string;
  /**
   * Tags known to exist (e.g. the image tags in the registry): the counter starts above the
   * highest `<base>-staging.N` among them and among the repository's tags.
   */
  existingTags?: readonly string[];
  /**
   * An explicit staging version (e.g. `1.2.3-staging.7`) instead of the counter. Accepted when it
   * does not exist yet, or already points at `sha`.
   */
  override?: string;
  /** Bound on creation attempts; default 50. */
  maxAttempts?: number;
}

/** What {@link reserveStagingTag} reserved. */
export interface StagingReservation {
  /** The tag, e.g. `1.2.3-staging.4`. */
  tag: string;
  /** The counter `N`; undefined for an override that is not `<base>-staging.N`. */
  n: number | undefined;
  /** Creation attempts made (0 when an existing tag at `sha` was reused without one). */
  attempts: number;
  /** False when the tag already existed at `sha` (an idempotent re-run). */
  created: boolean;
}

/** True for `X.Y.Z` or `vX.Y.Z`, strictly (no pre-release, build, spaces, `vv`, `=`). */
function isPlainVersion(text: string): boolean {
  const version = versionOfTag(text);
  return version !== undefined && !version.isPrerelease && version.build.length === 0;
}

/**
 * Reserves the next staging tag `<base>-staging.N` atomically, using the forge's atomic creation of
 * a git tag as the lock ({@link TagStore.createTag}): on GitHub `POST /repos/{owner}/{repo}/git/refs`
 * ({@link https://docs.github.com/en/rest/git/refs#create-a-reference | REST: Create a reference}),
 * on Forgejo `POST /repos/{owner}/{repo}/tags` (409 when it exists); each succeeds for exactly one
 * caller per name.
 *
 * 1. Lists the tags `<base>-staging.*`. A tag there that already points at `sha` is returned
 *    (`created: false`): a re-run of the same job gets the same N.
 * 2. Starts at one above the highest N among those tags and `existingTags` (0 when none).
 * 3. Creates the tag; when it exists, reads it: when it points at `sha` it is ours (returned,
 *    `created: false`), else tries N+1, up to `maxAttempts`.
 *
 * With `override`, only that tag is tried: created, or accepted when it already points at `sha`.
 *
 * @param options - see {@link ReserveStagingTagOptions}.
 * @returns the reservation; see {@link StagingReservation}.
 * @throws {@link ConfigurationError} `INVALID_INPUT` for a base that is not `X.Y.Z`, a sha that is not
 *   40 hex characters, a malformed override or `maxAttempts` (before any request).
 * @throws {@link PolicyError} `STAGING_TAG_TAKEN` when the override exists at another commit;
 *   `STAGING_COUNTER_EXHAUSTED` when `maxAttempts` names were all taken by other commits.
 * @throws the store's adapter error (`GitHubError`, `ForgejoError`) when the forge refuses otherwise
 *   (permissions, unknown commit).
 * @example
 * ```ts
 * const { tag } = await reserveStagingTag({ tags: forgejoReleaseStore(forgejo), base: '1.2.3', sha });
 * // tag === '1.2.3-staging.0' on the first run for 1.2.3
 * ```
 */
export async function reserveStagingTag(options: ReserveStagingTagOptions): Promise<StagingReservation> {
  const { tags, base, sha } = options;
  const maxAttempts = options.maxAttempts ?? 50;
  if (!isPlainVersion(base)) {
    throw new ConfigurationError('INVALID_INPUT', `reserve a staging tag for base ${JSON.stringify(base)}: expected X.Y.Z (or vX.Y.Z)`);
  }
  if (!isFullCommitSha(sha)) {
    throw new ConfigurationError('INVALID_INPUT', `reserve a staging tag at commit ${JSON.stringify(sha)}: expected a full commit sha (40 or 64 lowercase hex characters)`);
  }
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new ConfigurationError('INVALID_INPUT', `reserve a staging tag: maxAttempts ${JSON.stringify(maxAttempts)} must be a positive integer`);
  }
  const pattern = new RegExp(`^${escapeRegExp(base)}-staging\\.(0|[1-9]\\d*)$`);
  const counterOf = (tag: string): number | undefined => {
    const match = pattern.exec(tag);
    return match ? Number(match[1]) : undefined;
  };

  if (options.override !== undefined) {
    const tag = options.override;
    if (!isOciTag(tag) || !versionOfTag(tag)) {
      throw new ConfigurationError('INVALID_INPUT', `reserve the staging tag ${JSON.stringify(tag)}: the override is not a SemVer version`);
    }
    const outcome = await tryCreate(tags, tag, sha);
    if (outcome === 'taken') {
      const existing = await tags.tagCommit(tag);
      throw new PolicyError(
        'STAGING_TAG_TAKEN',
        `reserve the staging tag ${tag}: it already exists at ${existing ?? 'another commit'}, not at ${sha}`,
      );
    }
    return { tag, n: counterOf(tag), attempts: 1, created: outcome === 'created' };
  }

  const listed = await tags.listTagCommits(`${base}-staging.`);
  let highest = -1;
  for (const { tag, commitSha } of listed) {
    const n = counterOf(tag);
    if (n === undefined) continue;
    if (commitSha === sha) return { tag, n, attempts: 0, created: false };
    highest = Math.max(highest, n);
  }
  for (const tag of options.existingTags ?? []) {
    const n = counterOf(tag);
    if (n !== undefined) highest = Math.max(highest, n);
  }

  const start = highest + 1;
  let n = start;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const tag = `${base}-staging.${n}`;
    const outcome = await tryCreate(tags, tag, sha);
    if (outcome === 'created') return { tag, n, attempts: attempt, created: true };
    if (outcome === 'ours') return { tag, n, attempts: attempt, created: false };
    if (outcome === 'taken') n += 1;
    // 'vanished': the ref was deleted between our create and our read; try the same N again.
  }
  throw new PolicyError(
    'STAGING_COUNTER_EXHAUSTED',
    `reserve a staging tag for ${base} at ${sha}: ${maxAttempts} attempts from ${base}-staging.${start} to ${base}-staging.${n - 1} were all taken by other commits`,
  );
}

async function tryCreate(tags: TagStore, tag: string, sha: string): Promise<'created' | 'ours' | 'taken' | 'vanished'> {
  if ((await tags.createTag(tag, sha)) === 'created') return 'created';
  const existing = await tags.tagCommit(tag);
  if (existing === undefined) return 'vanished';
  return existing === sha ? 'ours' : 'taken';
}

/**
 * Reads the base version of staging tags: the explicit input when given, else the `version` of a
 * `package.json`.
 *
 * @param options - `input` (wins when non-empty), `packageJsonPath`, and `readFile` (injected; default `fs.promises.readFile`).
 * @returns `X.Y.Z` as found.
 * @throws {@link ConfigurationError} `MISSING_INPUT` when neither gives a version; `INVALID_INPUT`
 *   when the file is not JSON or its version is not `X.Y.Z`.
 */
export async function readBaseVersion(options: {
  input?: string;
  packageJsonPath?: string;
  readFile?: (path: string) => Promise<string>;
}): Promise<string> {
  const check = (version: string, from: string): string => {
    if (!isPlainVersion(version)) {
      throw new ConfigurationError('INVALID_INPUT', `read the base version from ${from}: ${JSON.stringify(version)} is not X.Y.Z`);
    }
    return version;
  };
  if (options.input !== undefined && options.input.trim() !== '') return check(options.input.trim(), 'the input');
  if (!options.packageJsonPath) {
    throw new ConfigurationError('MISSING_INPUT', 'read the base version: give a version or a package.json path');
  }
  const read = options.readFile ?? ((path: string) => readFile(path, 'utf8'));
  let manifest: unknown;
  try {
    manifest = JSON.parse(await read(options.packageJsonPath));
  } catch (cause) {
    throw new ConfigurationError('INVALID_INPUT', `read the base version from ${options.packageJsonPath}: ${(cause as Error).message}`, { cause });
  }
  const version = (manifest as { version?: unknown } | null)?.version;
  if (typeof version !== 'string') {
    throw new ConfigurationError('MISSING_INPUT', `read the base version from ${options.packageJsonPath}: it has no "version"`);
  }
  return check(version, options.packageJsonPath);
}
