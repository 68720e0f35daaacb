import pRetry, { AbortError } from 'p-retry';
import { pullRequestNumberOf, type CommitInfo } from '../changelog/notes.js';
import { ConfigurationError } from '../errors.js';
import { redact } from '../redact.js';
import { parseReleaseRef } from '../semver/refs.js';
import { ForgejoError, TagExistsError } from './errors.js';
import { isFullCommitSha } from '../grammar/commit-sha.js';

/** A release on Forgejo ({@link https://forgejo.org/docs/latest/user/api-usage/ | Forgejo API}, `Release`), in the shape GitHub's adapter uses. */
export interface ForgejoRelease {
  id: number;
  tagName: string;
  name: string | null;
  /** Markdown; `null` when empty. */
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  targetCommitish: string;
  htmlUrl: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; `null` for a draft. */
  publishedAt: string | null;
}

/** What {@link ForgejoClient.createRelease} writes (Forgejo `CreateReleaseOption`). */
export interface ForgejoReleaseInput {
  /** The tag, e.g. `v1.2.3`; Forgejo creates it at `targetCommitish` when a non-draft release is created for a tag that does not exist. */
  tag: string;
  name: string;
  /** Markdown. */
  body: string;
  draft: boolean;
  prerelease: boolean;
  /** A commit sha or branch; default: the repository's default branch. */
  targetCommitish?: string;
}

/** What {@link ForgejoClient.updateRelease} changes (Forgejo `EditReleaseOption`); absent fields stay as they are. */
export interface ForgejoReleaseUpdate {
  name?: string;
  body?: string;
  draft?: boolean;
  prerelease?: boolean;
  /** Only meaningful while the tag does not exist yet (a draft). */
  targetCommitish?: string;
}

/** A git tag as Forgejo lists it (`Tag`). */
export interface ForgejoTag {
  name: string;
  /** The commit the tag points at (annotated tags peeled). */
  commitSha: string;
  /** The tag object for an annotated tag, else the commit. */
  id: string;
  /** The annotation; `''` for a lightweight tag. */
  message: string;
}

/** A git reference as `GET /repos/{owner}/{repo}/git/refs` lists it. */
export interface ForgejoRef {
  /** Fully qualified, e.g. `refs/tags/v1.2.3`. */
  ref: string;
  /** The object the ref points at: a commit, or an annotated tag object. */
  sha: string;
  type: 'commit' | 'tag' | string;
}

/**
 * What the Forgejo release backend can and cannot do, for a release port and its summaries.
 * Forgejo has no `make_latest`: `makeLatest` is false and {@link FORGEJO_LATEST_EXPLANATION} says
 * what "latest" means there.
 */
export interface ForgejoCapabilities {
  /** Whether a release can be marked "latest" explicitly: never on Forgejo. */
  readonly makeLatest: false;
  /** One line for a job summary explaining what "latest" means on this forge. */
  readonly latestExplanation: string;
}

/** One line for a summary: what "latest" means on Forgejo, which has no `make_latest`. */
export const FORGEJO_LATEST_EXPLANATION =
  'Forgejo has no "make latest" setting: it shows as latest the newest release that is neither a draft nor a pre-release, by date.';

/** The capabilities of every {@link ForgejoClient}. */
export const FORGEJO_CAPABILITIES: ForgejoCapabilities = Object.freeze({ makeLatest: false, latestExplanation: FORGEJO_LATEST_EXPLANATION });

/**
 * The Forgejo (and Gitea) adapter: releases, tags, refs and compare of one repository over the
 * `/api/v1` REST API. Built by {@link createForgejoClient}; shaped to implement the release port
 * (find by tag, create, update, atomic tag creation, compare, list tags). A test double can
 * implement it (`satisfies ForgejoClient`).
 */
export interface ForgejoClient {
  readonly owner: string;
  readonly repo: string;
  /** The API root, e.g. `https://forgejo.example/api/v1`. */
  readonly apiUrl: string;
  /** `makeLatest: false`, and what "latest" means on Forgejo. */
  readonly capabilities: ForgejoCapabilities;
  /** The release of a tag, drafts included (`GET /releases/tags/{tag}`); undefined when there is none. */
  findReleaseByTag(tag: string): Promise<ForgejoRelease | undefined>;
  /** Every release, drafts included, newest first (`GET /releases`, all pages). */
  listReleases(): Promise<ForgejoRelease[]>;
  /** Creates a release (`POST /releases`); a release of the tag that exists already is {@link ForgejoError} `RELEASE_EXISTS`. */
  createRelease(input: ForgejoReleaseInput): Promise<ForgejoRelease>;
  /** Changes a release by id (`PATCH /releases/{id}`). */
  updateRelease(id: number, changes: ForgejoReleaseUpdate): Promise<ForgejoRelease>;
  /**
   * Creates a tag at a commit atomically (`POST /tags`); annotated when `message` is given.
   * Throws {@link TagExistsError} when the tag exists (409), whoever created it.
   */
  createTag(tag: string, sha: string, options?: { message?: string }): Promise<ForgejoTag>;
  /** Reads a tag (`GET /tags/{tag}`); undefined when absent. */
  getTag(tag: string): Promise<ForgejoTag | undefined>;
  /** Every tag of the repository (`GET /tags`, all pages). */
  listTags(): Promise<ForgejoTag[]>;
  /** Every branch and tag ref (`GET /git/refs`). */
  listRefs(): Promise<ForgejoRef[]>;
  /** The commits in `head` and not in `base` (`GET /compare/{base}...{head}`), newest first, as `commitRange` returns them. */
  compareCommits(base: string, head: string): Promise<CommitInfo[]>;
}

/** Options of {@link createForgejoClient}. */
export interface ForgejoClientOptions {
  /** The API root, e.g. `https://forgejo.example/api/v1` (`GITHUB_API_URL` on a Forgejo runner); see `detectForge`. */
  apiUrl: string;
  /** A Forgejo access token (`GITHUB_TOKEN` on a Forgejo runner); sent as `Authorization: token …`, never logged. */
  token: string;
  /** `owner/repo`, or give `owner` and `repo`. */
  repository?: string;
  owner?: string;
  repo?: string;
  /** Injected `fetch` (tests, proxies); default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Per-request timeout in milliseconds; default 30 000. */
  timeoutMs?: number;
  /** Retries of a failed read (GET: 5xx, 429, timeout, network) before giving up; writes are never retried. Default 2. */
  retries?: number;
  userAgent?: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const PAGE_SIZE = 50;

/**
 * Creates the Forgejo adapter over `fetch` (Forgejo REST API v1, the `swagger.v1.json` every instance
 * serves). Every request has a timeout; every response's shape is checked before it is used;
 * reads are retried on transient failures, writes never are.
 *
 * @param options - see {@link ForgejoClientOptions}.
 * @returns a {@link ForgejoClient} bound to one repository.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when the token is empty, the repository is not
 *   `owner/repo`, the API URL is not an http(s) URL, or the timeout is not positive (nothing is sent).
 * @example
 * ```ts
 * const forgejo = createForgejoClient({ apiUrl: 'https://code.example/api/v1', token, repository: 'acme/app' });
 * try {
 *   await forgejo.createTag('1.2.3-staging.4', sha);
 * } catch (error) {
 *   if (error instanceof TagExistsError) { ... } // someone else has that N
 * }
 * ```
 */
export function createForgejoClient(options: ForgejoClientOptions): ForgejoClient {
  const [owner, repo] = options.repository !== undefined ? options.repository.split('/', 3) : [options.owner, options.repo];
  if (!owner || !repo || !NAME.test(owner) || !NAME.test(repo) || (options.repository?.split('/').length ?? 2) !== 2) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `create the Forgejo client for repository ${JSON.stringify(options.repository ?? `${options.owner}/${options.repo}`)}: expected owner/repo`,
    );
  }
  const token = options.token;
  if (!token || /\s/.test(token)) {
    throw new ConfigurationError('INVALID_INPUT', 'create the Forgejo client: the token is empty or contains whitespace');
  }
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(apiUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.username || parsed.password) {
    throw new ConfigurationError('INVALID_INPUT', `create the Forgejo client: API URL ${JSON.stringify(redact(apiUrl))} is not an http(s) URL without credentials`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 2;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0 || !Number.isSafeInteger(retries) || retries < 0) {
    throw new ConfigurationError('INVALID_INPUT', `create the Forgejo client: timeoutMs ${timeoutMs} must be a positive integer and retries ${retries} a non-negative one`);
  }
  const doFetch = options.fetch ?? globalThis.fetch;
  const repoPath = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  /** Never let the token reach a message, whatever a server echoes back. */
  const clean = (text: string): string => redact(text.split(token).join('***'));

  interface Answer {
    status: number;
    body: unknown;
    headers: Headers;
  }

  async function once(method: string, path: string, operation: string, what: string, body?: unknown): Promise<Answer> {
    let response: Response;
    try {
      response = await doFetch(`${apiUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `token ${token}`,
          ...(options.userAgent ? { 'user-agent': options.userAgent } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw new ForgejoError(
        timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
        clean(`${operation} ${what}: ${timedOut ? `no answer within ${timeoutMs} ms` : `no response (${cause instanceof Error ? cause.message : String(cause)})`} from ${apiUrl}`),
        { status: 0, cause },
      );
    }
    const text = await response.text();
    let parsedBody: unknown;
    if (text.length > 0) {
      try {
        parsedBody = JSON.parse(text);
      } catch {
        parsedBody = undefined;
        if (response.ok) {
          throw new ForgejoError('INVALID_RESPONSE', clean(`${operation} ${what}: ${response.status} with a body that is not JSON (is ${apiUrl} a Forgejo API?)`), {
            status: response.status,
          });
        }
      }
    }
    return { status: response.status, body: parsedBody, headers: response.headers };
  }

  function failure(operation: string, what: string, answer: Answer): ForgejoError {
    const message = typeof (answer.body as { message?: unknown } | undefined)?.message === 'string' ? clean((answer.body as { message: string }).message) : '';
    const status = answer.status;
    let code: ForgejoError['code'] = 'FORGEJO_ERROR';
    if (status === 401) code = 'UNAUTHORIZED';
    else if (status === 403) code = 'FORBIDDEN';
    else if (status === 404) code = 'NOT_FOUND';
    else if (status === 422) code = 'VALIDATION_FAILED';
    return new ForgejoError(code, clean(`${operation} ${what}: ${status}${message ? ` ${message}` : ''}`), { status, forgejoMessage: message });
  }

  /** A GET, retried on 429/5xx/timeout/network; 404 → undefined when `allow404`. */
  async function read(path: string, operation: string, what: string, allow404 = false): Promise<Answer | undefined> {
    return pRetry(
      async () => {
        const answer = await once('GET', path, operation, what);
        if (answer.status === 404 && allow404) return undefined;
        if (answer.status >= 200 && answer.status < 300) return answer;
        const error = failure(operation, what, answer);
        if (answer.status === 429 || answer.status >= 500) throw error;
        // p-retry rejects with the wrapped error itself.
        throw new AbortError(error);
      },
      {
        retries,
        minTimeout: 200,
        factor: 2,
        shouldRetry: ({ error }) => !(error instanceof ForgejoError) || ['TIMEOUT', 'NETWORK_ERROR', 'FORGEJO_ERROR'].includes(error.code),
      },
    );
  }

  async function write(method: 'POST' | 'PATCH', path: string, operation: string, what: string, body: unknown): Promise<Answer> {
    const answer = await once(method, path, operation, what, body);
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw failure(operation, what, answer);
  }

  async function readAll<T>(path: string, operation: string, what: string, convert: (data: unknown, what: string) => T): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; page <= 10_000; page++) {
      const answer = (await read(`${path}?limit=${PAGE_SIZE}&page=${page}`, operation, what))!;
      const items = expectArray(answer.body, operation, what);
      out.push(...items.map((item) => convert(item, `${operation} ${what}`)));
      const total = Number(answer.headers.get('x-total-count'));
      if (items.length === 0 || items.length < PAGE_SIZE || (Number.isFinite(total) && total > 0 && out.length >= total)) break;
    }
    return out;
  }

  return {
    owner,
    repo,
    apiUrl,
    capabilities: FORGEJO_CAPABILITIES,

    async findReleaseByTag(tag) {
      checkTag(tag, 'find the release of');
      const answer = await read(`${repoPath}/releases/tags/${encodeURIComponent(tag)}`, 'find the release of', `tag ${tag}`, true);
      return answer ? toRelease(answer.body, `find the release of tag ${tag}`) : undefined;
    },

    listReleases() {
      return readAll(`${repoPath}/releases`, 'list releases of', `${owner}/${repo}`, toRelease);
    },

    async createRelease(input) {
      checkTag(input.tag, 'create the release of');
      if (input.targetCommitish !== undefined) checkCommitish(input.targetCommitish, 'create the release of', input.tag);
      const what = `of tag ${input.tag}`;
      try {
        const answer = await write('POST', `${repoPath}/releases`, 'create release', what, {
          tag_name: input.tag,
          name: input.name,
          body: input.body,
          draft: input.draft,
          prerelease: input.prerelease,
          ...(input.targetCommitish !== undefined ? { target_commitish: input.targetCommitish } : {}),
        });
        return toRelease(answer.body, `create release ${what}`);
      } catch (error) {
        if (error instanceof ForgejoError && error.status === 409) {
          throw new ForgejoError('RELEASE_EXISTS', clean(`create release ${what}: 409 a release of this tag exists already`), {
            status: 409,
            forgejoMessage: error.forgejoMessage,
            cause: error,
          });
        }
        throw error;
      }
    },

    async updateRelease(id, changes) {
      if (!Number.isSafeInteger(id) || id <= 0) {
        throw new ConfigurationError('INVALID_INPUT', `update release ${JSON.stringify(id)}: not a release id`);
      }
      if (changes.targetCommitish !== undefined) checkCommitish(changes.targetCommitish, 'update release', String(id));
      const answer = await write('PATCH', `${repoPath}/releases/${id}`, 'update release', String(id), {
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.body !== undefined ? { body: changes.body } : {}),
        ...(changes.draft !== undefined ? { draft: changes.draft } : {}),
        ...(changes.prerelease !== undefined ? { prerelease: changes.prerelease } : {}),
        ...(changes.targetCommitish !== undefined ? { target_commitish: changes.targetCommitish } : {}),
      });
      return toRelease(answer.body, `update release ${id}`);
    },

    async createTag(tag, sha, tagOptions = {}) {
      checkTag(tag, 'create tag');
      if (!isFullCommitSha(sha)) {
        throw new ConfigurationError('INVALID_INPUT', `create tag ${tag}: commit ${JSON.stringify(sha)} is not a full commit sha (40 or 64 hex)`);
      }
      const what = `${tag} at ${sha}`;
      const answer = await once('POST', `${repoPath}/tags`, 'create tag', what, {
        tag_name: tag,
        target: sha,
        ...(tagOptions.message ? { message: tagOptions.message } : {}),
      });
      if (answer.status === 409) throw new TagExistsError(tag, clean(`create tag ${what}: 409 the tag exists already`));
      if (answer.status < 200 || answer.status >= 300) throw failure('create tag', what, answer);
      return toTag(answer.body, `create tag ${what}`);
    },

    async getTag(tag) {
      checkTag(tag, 'read');
      const answer = await read(`${repoPath}/tags/${encodeURIComponent(tag)}`, 'read tag', tag, true);
      return answer ? toTag(answer.body, `read tag ${tag}`) : undefined;
    },

    listTags() {
      return readAll(`${repoPath}/tags`, 'list tags of', `${owner}/${repo}`, toTag);
    },

    async listRefs() {
      const answer = (await read(`${repoPath}/git/refs`, 'list refs of', `${owner}/${repo}`))!;
      return expectArray(answer.body, 'list refs of', `${owner}/${repo}`).map((item) => toRef(item, `list refs of ${owner}/${repo}`));
    },

    async compareCommits(base, head) {
      checkCommitish(base, 'compare', `${base}...${head}`);
      checkCommitish(head, 'compare', `${base}...${head}`);
      const basehead = `${base}...${head}`;
      const answer = (await read(`${repoPath}/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}`, 'compare', basehead))!;
      const context = `compare ${basehead}`;
      const data = expectObject(answer.body, context);
      const commits = expectArray(data.commits ?? [], 'compare', basehead).map((c) => toCommitInfo(c, context));
      if (typeof data.total_commits === 'number' && data.total_commits !== commits.length) {
        throw new ForgejoError('INVALID_RESPONSE', `${context}: the answer lists ${commits.length} of ${data.total_commits} commits`, { status: answer.status });
      }
      // Forgejo lists them as `git log base..head` does; keep that order, but be sure of it.
      return sortNewestFirst(commits);
    },
  };
}

/**
 * A tag name as git accepts it (the ref rules live in `semver/refs.ts`); no leading `-`. Checked
 * before any request; without importing the GitHub adapter (and Octokit with it).
 */
function checkTag(tag: string, operation: string): void {
  let problem: string | undefined;
  if (tag.startsWith('-')) problem = 'starts with "-"';
  else {
    try {
      parseReleaseRef(`refs/tags/${tag}`);
    } catch (error) {
      problem = error instanceof Error ? error.message.replace(/^parse ref "[^]*?": /, '') : String(error);
    }
  }
  if (problem !== undefined) {
    throw new ConfigurationError('INVALID_INPUT', `${operation} tag ${JSON.stringify(tag)}: not a valid git tag name (${problem})`);
  }
}

function checkCommitish(commitish: string, operation: string, what: string): void {
  if (commitish === '' || commitish.startsWith('-') || commitish.includes('..') || /[\x00-\x20\x7f~^:?*[\\]/.test(commitish)) {
    throw new ConfigurationError('INVALID_INPUT', `${operation} ${what}: ${JSON.stringify(commitish)} is not a valid commit, tag or branch`);
  }
}

function invalid(context: string, detail: string): ForgejoError {
  return new ForgejoError('INVALID_RESPONSE', `${context}: the answer does not have the shape of Forgejo's API (${detail})`, { status: 200 });
}

function expectObject(data: unknown, context: string): Record<string, unknown> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw invalid(context, 'expected an object');
  return data as Record<string, unknown>;
}

function expectArray(data: unknown, operation: string, what: string): unknown[] {
  if (!Array.isArray(data)) throw invalid(`${operation} ${what}`, 'expected an array');
  return data;
}

function str(object: Record<string, unknown>, key: string, context: string, optional = false): string {
  const value = object[key];
  if (typeof value === 'string') return value;
  if (optional && (value === undefined || value === null)) return '';
  throw invalid(context, `${key} is not a string`);
}

function bool(object: Record<string, unknown>, key: string, context: string): boolean {
  const value = object[key];
  if (typeof value !== 'boolean') throw invalid(context, `${key} is not a boolean`);
  return value;
}

function hex(value: string, key: string, context: string): string {
  if (!isFullCommitSha(value)) throw invalid(context, `${key} is not a commit id`);
  return value;
}

function toRelease(data: unknown, context: string): ForgejoRelease {
  const object = expectObject(data, context);
  const id = object.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) throw invalid(context, 'id is not a positive integer');
  const draft = bool(object, 'draft', context);
  const name = str(object, 'name', context, true);
  const body = str(object, 'body', context, true);
  return {
    id,
    tagName: str(object, 'tag_name', context),
    name: name === '' ? null : name,
    body: body === '' ? null : body,
    draft,
    prerelease: bool(object, 'prerelease', context),
    targetCommitish: str(object, 'target_commitish', context, true),
    htmlUrl: str(object, 'html_url', context, true),
    createdAt: str(object, 'created_at', context),
    publishedAt: draft ? null : str(object, 'published_at', context, true) || null,
  };
}

function toTag(data: unknown, context: string): ForgejoTag {
  const object = expectObject(data, context);
  const commit = expectObject(object.commit, context);
  return {
    name: str(object, 'name', context),
    commitSha: hex(str(commit, 'sha', context), 'commit.sha', context),
    id: hex(str(object, 'id', context), 'id', context),
    message: str(object, 'message', context, true),
  };
}

function toRef(data: unknown, context: string): ForgejoRef {
  const object = expectObject(data, context);
  const target = expectObject(object.object, context);
  return { ref: str(object, 'ref', context), sha: hex(str(target, 'sha', context), 'object.sha', context), type: str(target, 'type', context) };
}

/** Forgejo's `Commit` → `CommitInfo`: the full message split as git's `%s` (first paragraph, lines joined) and `%b`. */
function toCommitInfo(data: unknown, context: string): CommitInfo {
  const object = expectObject(data, context);
  const sha = hex(str(object, 'sha', context), 'sha', context);
  const inner = expectObject(object.commit, context);
  const author = inner.author === undefined || inner.author === null ? {} : expectObject(inner.author, context);
  const message = str(inner, 'message', context).replace(/\r\n/g, '\n');
  const split = message.search(/\n\s*\n/);
  const first = split < 0 ? message : message.slice(0, split);
  const subject = first.split('\n').map((l) => l.trim()).join(' ').trim();
  const body = split < 0 ? '' : message.slice(split).replace(/^\n\s*\n/, '').replace(/\n+$/, '');
  const account = object.author && typeof object.author === 'object' ? (object.author as { login?: unknown }).login : undefined;
  const login = typeof account === 'string' && account !== '' ? account : undefined;
  const parents = Array.isArray(object.parents) ? object.parents.map((p) => hex(str(expectObject(p, context), 'sha', context), 'parents[].sha', context)) : [];
  const date = typeof author.date === 'string' ? author.date : undefined;
  const prNumber = pullRequestNumberOf(subject);
  return {
    sha,
    subject,
    body,
    author: { name: typeof author.name === 'string' ? author.name : '', email: typeof author.email === 'string' ? author.email : '', ...(login ? { login } : {}) },
    ...(date ? { authoredAt: date } : {}),
    parents,
    ...(prNumber !== undefined ? { prNumber } : {}),
  };
}

/** Children before parents (topological, newest first), as `git log` lists a range; a stable order otherwise. */
function sortNewestFirst(commits: CommitInfo[]): CommitInfo[] {
  const inRange = new Set(commits.map((c) => c.sha));
  const childCount = new Map<string, number>(commits.map((c) => [c.sha, 0]));
  for (const c of commits) for (const p of c.parents ?? []) if (inRange.has(p)) childCount.set(p, (childCount.get(p) ?? 0) + 1);
  const out: CommitInfo[] = [];
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  const ready = commits.filter((c) => childCount.get(c.sha) === 0);
  while (ready.length > 0) {
    const next = ready.shift()!;
    out.push(next);
    for (const p of next.parents ?? []) {
      if (!inRange.has(p)) continue;
      const left = childCount.get(p)! - 1;
      childCount.set(p, left);
      if (left === 0) ready.push(bySha.get(p)!);
    }
  }
  return out.length === commits.length ? out : commits;
}
