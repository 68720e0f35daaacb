import type { CommitInfo } from '../changelog/notes.js';

/**
 * A release as a {@link ReleaseStore} returns it: forge-neutral (GitHub, Forgejo), no client types.
 */
export interface StoredRelease {
  /** The forge's id of the release, passed back to {@link ReleaseStore.publishDraft}. */
  id: number | string;
  /** The git tag the release is of, e.g. `v1.2.3`. */
  tagName: string;
  /** The title; null when the forge has none (the tag is shown). */
  name: string | null;
  /** The notes, Markdown; null when empty. */
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  /** The release's web page. */
  url: string;
}

/**
 * The forge-neutral view of a release as both forge adapters return it (GitHub `Release`, Forgejo
 * `ForgejoRelease`: the same fields, the web page as `htmlUrl`).
 *
 * @param release - the adapter's release.
 * @returns the {@link StoredRelease} of the port.
 */
export function toStoredRelease(release: {
  id: number;
  tagName: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  htmlUrl: string;
}): StoredRelease {
  return {
    id: release.id,
    tagName: release.tagName,
    name: release.name,
    body: release.body,
    draft: release.draft,
    prerelease: release.prerelease,
    url: release.htmlUrl,
  };
}

/** What {@link ReleaseStore.createOrUpdateRelease} writes. */
export interface ReleaseWrite {
  /** The tag, e.g. `v1.2.3`; the forge creates it at `targetCommitish` when it does not exist. */
  tag: string;
  /** The title. */
  name: string;
  /** Markdown. */
  body: string;
  draft: boolean;
  prerelease: boolean;
  /**
   * GitHub's `make_latest` (`'true'`, `'false'` or `'legacy'`; see `makeLatestFor`). Ignored by a store
   * whose {@link ReleaseStoreCapabilities.makeLatest} is false (the forge decides "latest" itself).
   */
  makeLatest?: 'true' | 'false' | 'legacy';
  /** A full commit sha the tag is created at when it does not exist yet. */
  targetCommitish?: string;
}

/** What a release backend can do beyond the common core. */
export interface ReleaseStoreCapabilities {
  /** True when the forge lets the caller say which release is "latest" (GitHub's `make_latest`). */
  makeLatest: boolean;
  /**
   * One line for a summary saying what "latest" means on a forge without `makeLatest` (Forgejo: the
   * newest release that is neither a draft nor a pre-release, by date); absent when `makeLatest` is true.
   */
  latestExplanation?: string;
}

/** A git tag and the commit it points at (annotated tags peeled), as {@link TagStore.listTagCommits} returns it. */
export interface TagCommit {
  /** The tag name, without `refs/tags/`. */
  tag: string;
  /** The full commit sha. */
  commitSha: string;
}

/**
 * The git-tag half of a forge that the staging counter needs (`reserveStagingTag` in
 * `@tagwright/core/release`): an atomic tag creation and reads of where tags point. Implemented by
 * `githubReleaseStore` and `forgejoReleaseStore` (every {@link ReleaseStore} is one).
 */
export interface TagStore {
  /**
   * Creates a git tag at a commit atomically: exactly one of several concurrent callers gets `created`.
   *
   * @returns `created`, or `exists` when the tag already exists (at any commit).
   */
  createTag(tag: string, sha: string): Promise<'created' | 'exists'>;
  /** The commit a tag points at (annotated tags peeled); undefined when the tag does not exist. */
  tagCommit(tag: string): Promise<string | undefined>;
  /** The tags whose name starts with `prefix`, with their commits. */
  listTagCommits(prefix: string): Promise<TagCommit[]>;
}

/**
 * The release port: what a release flow needs from a forge (GitHub, Forgejo). Implemented by
 * `githubReleaseStore` in `@tagwright/core/github` and `forgejoReleaseStore` in `@tagwright/core/forgejo`; a test double implements it with `satisfies ReleaseStore`.
 * Every method throws the adapter's error (e.g. `GitHubError`) on an API failure.
 */
export interface ReleaseStore extends TagStore {
  /** `owner/repo`, for messages. */
  readonly repository: string;
  /** The repository's web page, e.g. `https://github.com/acme/app`, for links in release notes. */
  readonly webUrl: string;
  /** Optional capabilities of this forge. */
  readonly capabilities: ReleaseStoreCapabilities;
  /** The release of a tag, drafts included; undefined when there is none. */
  findReleaseByTag(tag: string): Promise<StoredRelease | undefined>;
  /** Every release, drafts included, newest first. */
  listReleases(): Promise<StoredRelease[]>;
  /** Creates the release of `input.tag`, or updates it (never turns a published release back into a draft). */
  createOrUpdateRelease(input: ReleaseWrite): Promise<{ release: StoredRelease; created: boolean }>;
  /** Publishes a draft release; `makeLatest` is ignored without the capability. */
  publishDraft(id: StoredRelease['id'], options?: { makeLatest?: 'true' | 'false' | 'legacy' }): Promise<StoredRelease>;
  /** True when the git tag exists on the forge. */
  tagExists(tag: string): Promise<boolean>;
  /** Every git tag name of the repository (without `refs/tags/`). */
  listTags(): Promise<string[]>;
  /**
   * Creates a git tag at a commit atomically: exactly one of several concurrent callers gets `created`.
   *
   * @returns `created`, or `exists` when the tag already exists (at any commit).
   */
  createTag(tag: string, sha: string): Promise<'created' | 'exists'>;
  /** The commits in `head` and not in `base` (`base...head`), newest first. */
  compareCommits(base: string, head: string): Promise<CommitInfo[]>;
}
