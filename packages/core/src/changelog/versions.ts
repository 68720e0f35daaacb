import { ConfigurationError } from '../errors.js';
import { compareVersions, parseStrictVersion, versionOfTag } from '../semver/version.js';
import type { ReleaseVersion } from '../semver/version.js';

/** A release tag that parsed as SemVer 2.0, kept with the spelling it had in the input. */
interface ParsedTag {
  tag: string;
  version: ReleaseVersion;
}

/** `1.2.3` or `v1.2.3`, strictly (core's {@link versionOfTag}: no `vv1.2.3`, `=1.2.3`, spaces or leading zeros). */
const parseTag = (tag: string): ReleaseVersion | undefined => versionOfTag(tag);

function parseInputVersion(version: string, operation: string): ReleaseVersion {
  const parsed = parseTag(version);
  if (!parsed) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `${operation} ${JSON.stringify(version)}: not a SemVer 2.0 version (expected X.Y.Z or vX.Y.Z, optionally -prerelease)`,
    );
  }
  return parsed;
}

function parseAll(tags: readonly string[]): ParsedTag[] {
  const out: ParsedTag[] = [];
  for (const tag of tags) {
    const version = parseTag(tag);
    if (version) out.push({ tag, version });
  }
  return out;
}

function highest(candidates: ParsedTag[]): string | undefined {
  let best: ParsedTag | undefined;
  for (const candidate of candidates) {
    if (!best || compareVersions(candidate.version, best.version) > 0) best = candidate;
  }
  return best?.tag;
}

/**
 * Picks the release a new release's notes should be compared with: the highest existing
 * release lower than `version` on the same release line.
 *
 * - A stable `X.Y.Z` compares with the highest stable `X.Y.z` (z < Z) when one exists (a backport
 *   `1.2.1` compares with `1.2.0`, not with `1.3.0`), else with the highest stable release lower than
 *   it overall (`1.3.0` compares with `1.2.4`; a first `2.0.0` with the last `1.x`).
 * - A prerelease `X.Y.Z-p` compares with the highest lower prerelease of the same `X.Y.Z`
 *   (`1.3.0-rc.2` with `1.3.0-rc.1`), else with the release `X.Y.Z` itself would compare with.
 * - Prereleases are never the previous release of a stable release.
 *
 * Precedence follows {@link https://semver.org/#spec-item-11 | SemVer 2.0 §11}; build metadata is ignored.
 *
 * @param version - the version being released, `X.Y.Z[-pre]` or `vX.Y.Z[-pre]`.
 * @param releases - existing release tags (`v` prefix accepted); entries that are not SemVer
 *   (`latest`, `nightly`) are ignored, so a raw tag list can be passed.
 * @returns the matching entry of `releases`, spelled as given; `undefined` for a first release.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when `version` is not SemVer.
 * @example
 * ```ts
 * previousRelease('1.2.1', ['v1.2.0', 'v1.3.0']); // 'v1.2.0'
 * previousRelease('2.0.0-rc.2', ['1.9.0', '2.0.0-rc.1']); // '2.0.0-rc.1'
 * previousRelease('1.0.0', []); // undefined
 * ```
 */
export function previousRelease(version: string, releases: readonly string[]): string | undefined {
  const current = parseInputVersion(version, 'find the previous release of');
  const all = parseAll(releases).filter((r) => compareVersions(r.version, current) < 0);
  if (current.isPrerelease) {
    const samePrerelease = all.filter(
      (r) =>
        r.version.isPrerelease &&
        r.version.major === current.major &&
        r.version.minor === current.minor &&
        r.version.patch === current.patch,
    );
    const found = highest(samePrerelease);
    if (found !== undefined) return found;
  }
  // A prerelease of X.Y.Z compares with stable releases lower than X.Y.Z.
  const currentCore = parseStrictVersion(`${current.major}.${current.minor}.${current.patch}`)!;
  const stable = all.filter((r) => !r.version.isPrerelease && compareVersions(r.version, currentCore) < 0);
  const sameLine = stable.filter((r) => r.version.major === current.major && r.version.minor === current.minor);
  return highest(sameLine) ?? highest(stable);
}

/**
 * Decides the `make_latest` value of a GitHub release
 * ({@link https://docs.github.com/en/rest/releases/releases#create-a-release | REST: Create a release}):
 * `'true'` only for a stable release at least as high as every existing stable release;
 * `'false'` for a prerelease or a backport (a stable release below the highest existing one).
 *
 * @param version - the version being released (`v` prefix accepted).
 * @param existingReleaseVersions - versions or tags of the existing releases; non-SemVer entries are ignored.
 * @returns `'true'` or `'false'`, as the GitHub API spells it.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when `version` is not SemVer.
 * @example
 * ```ts
 * makeLatestFor('1.2.1', ['1.2.0', '1.3.0']); // 'false' (backport)
 * makeLatestFor('1.4.0', ['1.3.0']); // 'true'
 * ```
 */
export function makeLatestFor(version: string, existingReleaseVersions: readonly string[]): 'true' | 'false' {
  const current = parseInputVersion(version, 'decide make_latest for');
  if (current.isPrerelease) return 'false';
  const higherStable = parseAll(existingReleaseVersions).some(
    (r) => !r.version.isPrerelease && compareVersions(r.version, current) > 0,
  );
  return higherStable ? 'false' : 'true';
}
