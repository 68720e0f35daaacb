import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import * as v from 'valibot';
import { pullRequestNumberOf, type CommitInfo } from '../changelog/notes.js';
import { ConfigurationError, TagwrightError } from '../errors.js';
import { redact } from '../redact.js';
import { isFullCommitSha } from '../grammar/commit-sha.js';
import { isDigest } from '../grammar/digest.js';

/**
 * A GitHub API call failed. Keeps the HTTP status (0 when no response arrived), GitHub's own
 * message and the `errors` array of a 422.
 */
export class GitHubError extends TagwrightError<
  'NOT_FOUND' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'REF_EXISTS' | 'VALIDATION_FAILED' | 'RATE_LIMITED' | 'GITHUB_ERROR' | 'NETWORK_ERROR' | 'INVALID_RESPONSE'
> {
  /** HTTP status; 0 when the request never got a response. */
  readonly status: number;
  /** GitHub's `message`, e.g. `Reference already exists`. */
  readonly githubMessage: string;
  /** GitHub's `errors` array (422), empty when none. */
  readonly errors: unknown[];

  constructor(code: GitHubError['code'], message: string, details: { status: number; githubMessage: string; errors?: unknown[]; cause?: unknown }) {
    super(code, message, { cause: details.cause });
    this.status = details.status;
    this.githubMessage = details.githubMessage;
    this.errors = details.errors ?? [];
  }
}

/** A GitHub release, as the adapter returns it ({@link https://docs.github.com/en/rest/releases/releases | REST: Releases}). */
export interface Release {
  id: number;
  tagName: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  targetCommitish: string;
  htmlUrl: string;
  createdAt: string;
  /** `null` for a draft. */
  publishedAt: string | null;
}

/** What {@link GitHubClient.createOrUpdateRelease} writes. */
export interface ReleaseInput {
  /** The tag, e.g. `v1.2.3`; GitHub creates it at `targetCommitish` when the release is published. */
  tag: string;
  name: string;
  /** Markdown. */
  body: string;
  draft: boolean;
  prerelease: boolean;
  /** See `makeLatestFor`; ignored while the release stays a draft (pass it again to `publishDraft`). */
  makeLatest: 'true' | 'false' | 'legacy';
  /** A commit sha or branch; used when the tag does not exist yet. */
  targetCommitish?: string;
}

/** A git reference ({@link https://docs.github.com/en/rest/git/refs | REST: Git references}). */
export interface GitRef {
  /** Fully qualified, e.g. `refs/tags/1.2.3-staging.4`. */
  ref: string;
  /** The object the ref points at: a commit, or an annotated tag object. */
  sha: string;
  type: 'commit' | 'tag' | string;
  /** The commit, annotated tags peeled (set by `getRef`; by `listMatchingRefs` for commit refs only). */
  commitSha?: string;
}

/** Who owns a container package on GHCR: an organization, a user, or the token's own account (`/user/...`). */
export type PackageOwner = { org: string } | { user: string } | { authenticatedUser: true };

/** A version of a container package on GHCR: one manifest digest and the tags on it. */
export interface PackageVersion {
  /** The id `deletePackageVersion` takes. */
  id: number;
  /** The manifest digest (`sha256:…`), GitHub's `name` field. */
  digest: string;
  /** `metadata.container.tags`; empty for an untagged version. */
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

/**
 * The GitHub adapter tagwright uses: releases, tag refs, compare, GHCR package versions of one
 * repository. Built by {@link createGitHubClient}; a test double can implement it (`satisfies GitHubClient`).
 */
export interface GitHubClient {
  readonly owner: string;
  readonly repo: string;
  /** The release of a tag, drafts included; undefined when there is none. */
  findReleaseByTag(tag: string): Promise<Release | undefined>;
  /** Every release, drafts included, newest first. */
  listReleases(): Promise<Release[]>;
  /** Creates the release of `input.tag`, or updates it (never turns a published release back into a draft). */
  createOrUpdateRelease(input: ReleaseInput): Promise<{ release: Release; created: boolean }>;
  /** Publishes a draft release. */
  publishDraft(releaseId: number, options?: { makeLatest?: 'true' | 'false' | 'legacy' }): Promise<Release>;
  /** Creates `refs/tags/<tag>` at a commit; throws {@link GitHubError} `REF_EXISTS` when the tag exists. */
  createTagRef(tag: string, sha: string): Promise<GitRef>;
  /** Reads a ref (`tags/x`, `refs/tags/x`, `heads/main`), annotated tags peeled; undefined when absent. */
  getRef(ref: string): Promise<GitRef | undefined>;
  /** Lists the refs whose name starts with a prefix (`tags/1.2.3-staging.`). */
  listMatchingRefs(prefix: string): Promise<GitRef[]>;
  /** The commits in `head` and not in `base` (`base...head`), newest first, as `commitRange` returns them. */
  compareCommits(base: string, head: string): Promise<CommitInfo[]>;
  /** Every active version of a container package, newest first. */
  listPackageVersions(owner: PackageOwner, packageName: string): Promise<PackageVersion[]>;
  /**
   * One container package version by id, as it is now (its tags included; one request); undefined when it
   * is gone ({@link https://docs.github.com/en/rest/packages/packages#get-a-package-version-for-an-organization | REST: Get a package version}).
   */
  getPackageVersion(owner: PackageOwner, packageName: string, versionId: number): Promise<PackageVersion | undefined>;
  /** Deletes a container package version by id. */
  deletePackageVersion(owner: PackageOwner, packageName: string, versionId: number): Promise<void>;
}

/** Options of {@link createGitHubClient}. */
export interface GitHubClientOptions {
  /** A token (`GITHUB_TOKEN`, an app token or a PAT); sent as `Authorization: token …`, never logged. */
  token: string;
  /** `owner/repo`, or give `owner` and `repo`. */
  repository?: string;
  owner?: string;
  repo?: string;
  /** API root, e.g. `https://api.github.com` (default) or `https://ghe.example.com/api/v3`. */
  baseUrl?: string;
  userAgent?: string;
  /** Injected `fetch` (tests, proxies). */
  fetch?: typeof globalThis.fetch;
  /**
   * Octokit's throttling (one write per second per client, rate-limit waits). On by default;
   * turn it off only against a local API double.
   */
  throttling?: boolean;
  /** Retries of a failed request (5xx, network) before giving up; default 3. */
  retries?: number;
  /** Receives rate-limit warnings; default: dropped. */
  onWarning?: (message: string) => void;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Creates the GitHub adapter over `@octokit/rest` 22 with the retry and throttling plugins.
 *
 * @param options - see {@link GitHubClientOptions}.
 * @returns a {@link GitHubClient} bound to one repository.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when the token is empty, the repository is not
 *   `owner/repo`, or the base URL is not an http(s) URL (nothing is sent).
 * @example
 * ```ts
 * const github = createGitHubClient({ token: process.env.GITHUB_TOKEN!, repository: 'acme/app' });
 * const { release } = await github.createOrUpdateRelease({ tag: 'v1.2.3', name: 'v1.2.3', body, draft: false,
 *   prerelease: false, makeLatest: makeLatestFor('1.2.3', versions) });
 * ```
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const [owner, repo] = options.repository !== undefined ? options.repository.split('/', 3) : [options.owner, options.repo];
  if (!owner || !repo || !NAME.test(owner) || !NAME.test(repo) || (options.repository?.split('/').length ?? 2) !== 2) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `create the GitHub client for repository ${JSON.stringify(options.repository ?? `${options.owner}/${options.repo}`)}: expected owner/repo`,
    );
  }
  if (!options.token || /\s/.test(options.token)) {
    throw new ConfigurationError('INVALID_INPUT', 'create the GitHub client: the token is empty or contains whitespace');
  }
  const baseUrl = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl)) {
    throw new ConfigurationError('INVALID_INPUT', `create the GitHub client: base URL ${JSON.stringify(redact(baseUrl))} is not an http(s) URL`);
  }
  const warn = options.onWarning ?? ((): void => undefined);
  const silent = (): void => undefined;
  const RetryingOctokit = Octokit.plugin(retry, throttling);
  const octokit = new RetryingOctokit({
    auth: options.token,
    baseUrl,
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    request: { ...(options.fetch ? { fetch: options.fetch } : {}) },
    log: { debug: silent, info: silent, warn, error: silent },
    retry: { retries: options.retries ?? 3 },
    throttle:
      options.throttling === false
        ? { enabled: false }
        : {
            onRateLimit: (retryAfter: number, request: { method: string; url: string }, _o: unknown, retryCount: number) => {
              warn(`GitHub rate limit hit on ${request.method} ${request.url}; retrying after ${retryAfter} s`);
              return retryCount < 2 && retryAfter <= 120;
            },
            onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _o: unknown, retryCount: number) => {
              warn(`GitHub secondary rate limit hit on ${request.method} ${request.url}; retrying after ${retryAfter} s`);
              return retryCount < 2 && retryAfter <= 120;
            },
          },
  });
  const where = { owner, repo };

  async function call<T>(operation: string, what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toGitHubError(operation, what, error);
    }
  }

  async function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
    try {
      return await promise;
    } catch (error) {
      if (error instanceof GitHubError && error.status === 404) return undefined;
      throw error;
    }
  }

  async function peel(sha: string, type: string, ref: string): Promise<string> {
    let current = { sha, type };
    for (let depth = 0; current.type === 'tag' && depth < 5; depth++) {
      const { data } = await call('read tag object', `${current.sha} of ${ref}`, () =>
        octokit.rest.git.getTag({ ...where, tag_sha: current.sha }),
      );
      current = { sha: data.object.sha, type: data.object.type };
    }
    return current.sha;
  }

  async function listReleases(): Promise<Release[]> {
    const data = await call('list releases of', `${owner}/${repo}`, () =>
      octokit.paginate(octokit.rest.repos.listReleases, { ...where, per_page: 100 }),
    );
    return data.map(toRelease);
  }

  async function findReleaseByTag(tag: string): Promise<Release | undefined> {
    checkTag(tag, 'find the release of');
    const published = await orUndefined(
      call('find the release of', `tag ${tag}`, () => octokit.rest.repos.getReleaseByTag({ ...where, tag })),
    );
    if (published) return toRelease(published.data);
    // GitHub does not find a draft by tag: look through the list, which has drafts.
    return (await listReleases()).find((r) => r.tagName === tag);
  }

  async function publishDraft(releaseId: number, publishOptions: { makeLatest?: 'true' | 'false' | 'legacy' } = {}): Promise<Release> {
    if (!Number.isSafeInteger(releaseId) || releaseId <= 0) {
      throw new ConfigurationError('INVALID_INPUT', `publish release ${JSON.stringify(releaseId)}: not a release id`);
    }
    const { data } = await call('publish release', String(releaseId), () =>
      octokit.rest.repos.updateRelease({
        ...where,
        release_id: releaseId,
        draft: false,
        ...(publishOptions.makeLatest ? { make_latest: publishOptions.makeLatest } : {}),
      }),
    );
    return toRelease(data);
  }

  return {
    owner,
    repo,
    findReleaseByTag,
    listReleases,
    publishDraft,

    async createOrUpdateRelease(input) {
      checkTag(input.tag, 'create the release of');
      if (input.targetCommitish !== undefined) checkCommitish(input.targetCommitish);
      const existing = await findReleaseByTag(input.tag);
      if (!existing) {
        const { data } = await call('create release', `of tag ${input.tag}`, () =>
          octokit.rest.repos.createRelease({
            ...where,
            tag_name: input.tag,
            name: input.name,
            body: input.body,
            draft: input.draft,
            prerelease: input.prerelease,
            ...(input.draft ? {} : { make_latest: input.makeLatest }),
            ...(input.targetCommitish !== undefined ? { target_commitish: input.targetCommitish } : {}),
          }),
        );
        return { release: toRelease(data), created: true };
      }
      // Never turn a published release back into a draft on a re-run.
      const draft = existing.draft && input.draft;
      const { data } = await call('update release', `${existing.id} of tag ${input.tag}`, () =>
        octokit.rest.repos.updateRelease({
          ...where,
          release_id: existing.id,
          name: input.name,
          body: input.body,
          draft,
          prerelease: input.prerelease,
          ...(draft ? {} : { make_latest: input.makeLatest }),
          ...(existing.draft && input.targetCommitish !== undefined ? { target_commitish: input.targetCommitish } : {}),
        }),
      );
      return { release: toRelease(data), created: false };
    },

    async createTagRef(tag, sha) {
      checkTag(tag, 'create tag');
      checkSha(sha, `create tag ${tag}`);
      const { data } = await call('create tag', `${tag} at ${sha}`, () =>
        octokit.rest.git.createRef({ ...where, ref: `refs/tags/${tag}`, sha }),
      );
      return { ref: data.ref, sha: data.object.sha, type: data.object.type, ...(data.object.type === 'commit' ? { commitSha: data.object.sha } : {}) };
    },

    async getRef(ref) {
      const short = shortRef(ref);
      const found = await orUndefined(call('read ref', `refs/${short}`, () => octokit.rest.git.getRef({ ...where, ref: short })));
      if (!found) return undefined;
      const { data } = found;
      return { ref: data.ref, sha: data.object.sha, type: data.object.type, commitSha: await peel(data.object.sha, data.object.type, data.ref) };
    },

    async listMatchingRefs(prefix) {
      const short = shortRef(prefix, true);
      const { data } = await call('list refs', `matching refs/${short}`, () =>
        octokit.rest.git.listMatchingRefs({ ...where, ref: short }),
      );
      return data.map((d) => ({
        ref: d.ref,
        sha: d.object.sha,
        type: d.object.type,
        ...(d.object.type === 'commit' ? { commitSha: d.object.sha } : {}),
      }));
    },

    async compareCommits(base, head) {
      checkCommitish(base);
      checkCommitish(head);
      const basehead = `${base}...${head}`;
      const perPage = 100;
      const collected: CommitInfo[] = [];
      for (let page = 1; ; page++) {
        const { data } = await call('compare', basehead, () =>
          octokit.rest.repos.compareCommitsWithBasehead({ ...where, basehead, per_page: perPage, page }),
        );
        collected.push(...data.commits.map(toCommitInfo));
        if (data.commits.length < perPage || collected.length >= data.total_commits) break;
      }
      return collected.reverse();
    },

    async listPackageVersions(packageOwner, packageName) {
      checkPackageName(packageName);
      const what = `${describeOwner(packageOwner)} container package ${packageName}`;
      const data = await call('list versions of', what, () => {
        const common = { package_type: 'container' as const, package_name: packageName, per_page: 100, state: 'active' as const };
        if ('org' in packageOwner) {
          return octokit.paginate(octokit.rest.packages.getAllPackageVersionsForPackageOwnedByOrg, { ...common, org: packageOwner.org });
        }
        if ('user' in packageOwner) {
          // The user-owned endpoint takes neither `state` nor `per_page` in GitHub's description.
          const { state: _state, per_page: _perPage, ...forUser } = common;
          return octokit.paginate(octokit.rest.packages.getAllPackageVersionsForPackageOwnedByUser, { ...forUser, username: packageOwner.user });
        }
        return octokit.paginate(octokit.rest.packages.getAllPackageVersionsForPackageOwnedByAuthenticatedUser, common);
      });
      return data.map((version) => toPackageVersion(version, `list the versions of ${describeOwner(packageOwner)} container package ${packageName}`));
    },

    async getPackageVersion(packageOwner, packageName, versionId) {
      checkPackageName(packageName);
      if (!Number.isSafeInteger(versionId) || versionId <= 0) {
        throw new ConfigurationError('INVALID_INPUT', `get package version ${JSON.stringify(versionId)}: not a version id`);
      }
      const what = `version ${versionId} of ${describeOwner(packageOwner)} container package ${packageName}`;
      try {
        const { data: v } = await call('get', what, () => {
          const common = { package_type: 'container' as const, package_name: packageName, package_version_id: versionId };
          if ('org' in packageOwner) return octokit.rest.packages.getPackageVersionForOrganization({ ...common, org: packageOwner.org });
          if ('user' in packageOwner) return octokit.rest.packages.getPackageVersionForUser({ ...common, username: packageOwner.user });
          return octokit.rest.packages.getPackageVersionForAuthenticatedUser(common);
        });
        return toPackageVersion(v, `get ${what}`);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },

    async deletePackageVersion(packageOwner, packageName, versionId) {
      checkPackageName(packageName);
      if (!Number.isSafeInteger(versionId) || versionId <= 0) {
        throw new ConfigurationError('INVALID_INPUT', `delete package version ${JSON.stringify(versionId)}: not a version id`);
      }
      const what = `${versionId} of ${describeOwner(packageOwner)} container package ${packageName}`;
      const common = { package_type: 'container' as const, package_name: packageName, package_version_id: versionId };
      await call('delete version', what, () => {
        if ('org' in packageOwner) return octokit.rest.packages.deletePackageVersionForOrg({ ...common, org: packageOwner.org });
        if ('user' in packageOwner) return octokit.rest.packages.deletePackageVersionForUser({ ...common, username: packageOwner.user });
        return octokit.rest.packages.deletePackageVersionForAuthenticatedUser(common);
      });
    },
  };
}

function describeOwner(owner: PackageOwner): string {
  if ('org' in owner) return `organization ${owner.org}'s`;
  if ('user' in owner) return `user ${owner.user}'s`;
  return "the token owner's";
}

interface ReleaseData {
  id: number;
  tag_name: string;
  name: string | null;
  body?: string | null;
  draft: boolean;
  prerelease: boolean;
  target_commitish: string;
  html_url: string;
  created_at: string;
  published_at: string | null;
}

function toRelease(data: ReleaseData): Release {
  return {
    id: data.id,
    tagName: data.tag_name,
    name: data.name,
    body: data.body ?? null,
    draft: data.draft,
    prerelease: data.prerelease,
    targetCommitish: data.target_commitish,
    htmlUrl: data.html_url,
    createdAt: data.created_at,
    publishedAt: data.published_at,
  };
}

interface CommitData {
  sha: string;
  commit: { message: string; author: { name?: string; email?: string; date?: string } | null };
  author: { login?: string } | null | Record<string, never>;
  parents: Array<{ sha: string }>;
}

/** GitHub's full message → git's `%s` (first paragraph, lines joined) and `%b` (the rest). */
function toCommitInfo(data: CommitData): CommitInfo {
  const message = data.commit.message.replace(/\r\n/g, '\n');
  const split = message.search(/\n\s*\n/);
  const first = split < 0 ? message : message.slice(0, split);
  const subject = first.split('\n').map((l) => l.trim()).join(' ').trim();
  const body = split < 0 ? '' : message.slice(split).replace(/^\n\s*\n/, '').replace(/\n+$/, '');
  const login = data.author && 'login' in data.author ? data.author.login : undefined;
  const prNumber = pullRequestNumberOf(subject);
  return {
    sha: data.sha,
    subject,
    body,
    author: { name: data.commit.author?.name ?? '', email: data.commit.author?.email ?? '', ...(login ? { login } : {}) },
    ...(data.commit.author?.date ? { authoredAt: data.commit.author.date } : {}),
    parents: data.parents.map((p) => p.sha),
    ...(prNumber !== undefined ? { prNumber } : {}),
  };
}

/** `refs/tags/x` or `tags/x` → `tags/x`, as the refs endpoints take it. */
function shortRef(ref: string, prefix = false): string {
  const short = ref.replace(/^refs\//, '');
  if (!/^[^/\s]+\/\S*$/.test(short) || (!prefix && short.endsWith('/')) || short.includes('..') || /[\x00-\x1f\x7f~^:?*[\\]/.test(short)) {
    throw new ConfigurationError('INVALID_INPUT', `read ref ${JSON.stringify(ref)}: expected e.g. tags/v1.2.3 or refs/heads/main`);
  }
  return short;
}

/**
 * A tag name as `git check-ref-format` accepts it
 * ({@link https://git-scm.com/docs/git-check-ref-format | git check-ref-format}).
 */
export function checkTag(tag: string, operation: string): void {
  const bad =
    tag === '' ||
    tag === '@' ||
    tag.startsWith('-') ||
    tag.startsWith('/') ||
    tag.endsWith('/') ||
    tag.endsWith('.') ||
    tag.endsWith('.lock') ||
    tag.includes('..') ||
    tag.includes('@{') ||
    tag.includes('//') ||
    tag.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock')) ||
    /[\x00-\x20\x7f~^:?*[\\]/.test(tag);
  if (bad) {
    throw new ConfigurationError('INVALID_INPUT', `${operation} tag ${JSON.stringify(tag)}: not a valid git tag name`);
  }
}

function checkSha(sha: string, operation: string): void {
  if (!isFullCommitSha(sha)) {
    throw new ConfigurationError('INVALID_INPUT', `${operation}: commit ${JSON.stringify(sha)} is not a full commit sha (40 or 64 lowercase hex characters)`);
  }
}

function checkCommitish(commitish: string): void {
  if (commitish === '' || commitish.startsWith('-') || commitish.includes('..') || /[\x00-\x20\x7f~^:?*[\\]/.test(commitish)) {
    throw new ConfigurationError('INVALID_INPUT', `compare ${JSON.stringify(commitish)}: not a valid commit, tag or branch`);
  }
}

function checkPackageName(name: string): void {
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(name)) {
    throw new ConfigurationError('INVALID_INPUT', `read container package ${JSON.stringify(name)}: not a valid package name (lower-case repository path)`);
  }
}

/** Turns an Octokit RequestError (or a network failure) into a {@link GitHubError}; never leaks the token. */
function toGitHubError(operation: string, what: string, error: unknown): GitHubError {
  if (error instanceof GitHubError || error instanceof ConfigurationError) return error as GitHubError;
  const e = error as { status?: unknown; message?: unknown; response?: { data?: unknown } } | undefined;
  const status = typeof e?.status === 'number' ? e.status : 0;
  const data = (e?.response?.data ?? {}) as { message?: unknown; errors?: unknown };
  const githubMessage = typeof data.message === 'string' ? data.message : String(e?.message ?? error);
  const errors = Array.isArray(data.errors) ? data.errors : [];
  let code: GitHubError['code'] = 'GITHUB_ERROR';
  if (status === 0) code = 'NETWORK_ERROR';
  else if (status === 401) code = 'UNAUTHORIZED';
  else if (status === 403 && /rate limit/i.test(githubMessage)) code = 'RATE_LIMITED';
  else if (status === 403) code = 'FORBIDDEN';
  else if (status === 404) code = 'NOT_FOUND';
  else if (status === 422 && /reference already exists/i.test(githubMessage)) code = 'REF_EXISTS';
  else if (status === 422) code = 'VALIDATION_FAILED';
  else if (status === 429) code = 'RATE_LIMITED';
  const detail = errors.length > 0 ? ` ${JSON.stringify(errors)}` : '';
  return new GitHubError(code, redact(`${operation} ${what}: ${status || 'no response'} ${githubMessage}${detail}`), {
    status,
    githubMessage: redact(githubMessage),
    errors,
    cause: error,
  });
}

/**
 * The shape cleanup decides from: a positive id, the manifest digest as its name, the tags, the times.
 * ({@link https://docs.github.com/en/rest/packages/packages#get-a-package-version-for-an-organization | REST: package version}).
 */
const PackageVersionSchema = v.looseObject({
  id: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  name: v.pipe(v.string(), v.check(isDigest, 'not a digest')),
  metadata: v.optional(v.nullable(v.looseObject({ container: v.optional(v.looseObject({ tags: v.array(v.string()) })) }))),
  created_at: v.pipe(v.string(), v.isoTimestamp()),
  updated_at: v.pipe(v.string(), v.isoTimestamp()),
});

/** Reads one package version; a shape cleanup cannot trust is a GitHubError `INVALID_RESPONSE`, never a guess. */
function toPackageVersion(value: unknown, operation: string): PackageVersion {
  const result = v.safeParse(PackageVersionSchema, value);
  if (!result.success) {
    const problems = result.issues
      .slice(0, 3)
      .map((issue) => `${v.getDotPath(issue) ?? ''}: ${issue.message}`)
      .join('; ');
    throw new GitHubError('INVALID_RESPONSE', `${operation}: the answer is not a valid package version (${problems})`, { status: 200, githubMessage: '' });
  }
  const version = result.output;
  return { id: version.id, digest: version.name, tags: version.metadata?.container?.tags ?? [], createdAt: version.created_at, updatedAt: version.updated_at };
}
