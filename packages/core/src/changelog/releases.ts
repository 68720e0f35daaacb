/**
 * Which GitHub releases and git tags stand for which version (pure). The caller reads the
 * repository's releases and tags; these functions decide from that data.
 *
 * @packageDocumentation
 */
import { versionOfTag } from '../semver/version.js';

/** A release as these decisions need it (a GitHub release carries more). */
export interface ReleaseRecord {
  /** The git tag of the release, e.g. `v1.4.0`. */
  tagName: string;
  /** True for a draft, which does not count as released. */
  draft: boolean;
}

const STAGING_TAG = /-staging\.(0|[1-9][0-9]*)$/;

/**
 * True for a staging build tag `X.Y.Z-staging.N` (reserved by the staging counter), which is a
 * build, not a release, although it parses as a SemVer pre-release
 * ({@link https://semver.org/#spec-item-9 | SemVer §9}).
 */
export function isStagingTag(tag: string): boolean {
  return STAGING_TAG.test(tag);
}

/**
 * The git tag spellings a version's release may use: as given first, then with or without `v`.
 *
 * @param version - `1.4.0` or `v1.4.0`.
 * @returns e.g. `['1.4.0', 'v1.4.0']` or `['v1.4.0', '1.4.0']`.
 */
export function releaseTagSpellings(version: string): string[] {
  const bare = version.replace(/^v(?=\d)/, '');
  return version === bare ? [bare, `v${bare}`] : [version, bare];
}

/**
 * The release of a version under either spelling, drafts included.
 *
 * @returns the first release whose tag is a spelling of `version`, in {@link releaseTagSpellings} order; undefined when none.
 */
export function findReleaseOf<R extends { tagName: string }>(releases: readonly R[], version: string): R | undefined {
  for (const spelling of releaseTagSpellings(version)) {
    const found = releases.find((release) => release.tagName === spelling);
    if (found) return found;
  }
  return undefined;
}

/**
 * The versions released before (or beside) a release, as input for `previousRelease` and
 * `makeLatestFor`: published releases and version tags, without drafts, staging build tags
 * (`X.Y.Z-staging.N`), the release's own tag, other spellings of its version, and tags that are
 * not SemVer versions.
 *
 * @param input - `releases` and `tags` (tag names without `refs/tags/`) of the repository; `tag`
 *   and `version` of the release being made.
 * @returns distinct tag names, as spelled in the repository.
 */
export function earlierReleaseTags(input: {
  releases: readonly ReleaseRecord[];
  tags: readonly string[];
  tag: string;
  version: string;
}): string[] {
  const own = versionOfTag(input.version)?.version;
  const candidates = [
    ...input.releases.filter((release) => !release.draft && release.tagName !== input.tag).map((release) => release.tagName),
    ...input.tags.filter((tag) => tag !== input.tag && !isStagingTag(tag)),
  ];
  return [...new Set(candidates)].filter((tag) => {
    const version = versionOfTag(tag);
    return version !== undefined && version.version !== own;
  });
}
