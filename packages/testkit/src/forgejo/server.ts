import { startOpenApiDouble, type Handler, type HandlerContext, type RecordedRequest, type Reply, type Violation } from '../openapi/double.js';
import { loadForgejoOpenApi } from './openapi.js';
import { ForgejoApiState, type ForgejoReleaseRecord, type ForgejoTagRecord } from './state.js';

/** The version `GET /api/v1/version` answers by default: the one of the API description. */
export const FORGEJO_DOUBLE_VERSION = '11.0.3+gitea-1.22.0';

/** One request the Forgejo double answered. */
export type ForgejoRecordedRequest = RecordedRequest;

/** A request or response that does not follow Forgejo's API description. */
export type ForgejoViolation = Violation;

/** Options of {@link startForgejoApi}. */
export interface ForgejoApiOptions {
  owner?: string;
  repo?: string;
  /** The only token accepted, as `Authorization: token <t>` (or `Bearer <t>`). */
  token?: string;
  /** The login of the token's account (release `author`). */
  login?: string;
  /** What `GET /api/v1/version` answers. */
  version?: string;
  defaultBranch?: string;
  /** Clock for `created_at` and friends. */
  now?: () => Date;
}

/** A running Forgejo API double. */
export interface ForgejoApi {
  /** `http://127.0.0.1:<port>`: the server URL (`GITHUB_SERVER_URL` on a Forgejo runner). */
  serverUrl: string;
  /** `<serverUrl>/api/v1`: the API root. */
  apiUrl: string;
  owner: string;
  repo: string;
  token: string;
  state: ForgejoApiState;
  /** Every request, in arrival order. */
  requests: ForgejoRecordedRequest[];
  /** Requests and responses that broke Forgejo's API description; a test asserts it stays empty. */
  violations: ForgejoViolation[];
  /** Makes the next `times` requests to an operation fail with `status` before the handler runs (not checked against the description). */
  injectFailure(failure: { operationId: string; status: number; times?: number; message?: string }): void;
  /** Throws with the details when {@link ForgejoApi.violations} is not empty. */
  assertNoViolations(): void;
  stop(): Promise<void>;
}

type Params = Record<string, string>;

const PREFIX = '/api/v1';

/**
 * Starts a local HTTP server on 127.0.0.1 (a free port) that answers like Forgejo's REST API
 * (`/api/v1`) for the endpoints a release flow uses: `GET /version`; tags (list, get, create:
 * `POST /repos/{owner}/{repo}/tags` answers 409 when the tag exists, atomically); releases (list,
 * create, get by id, get by tag, edit); compare (`base...head`); and `GET /git/refs`.
 *
 * Every request (path, method, parameters, body) and every response it sends is validated against
 * Forgejo's published API description (`../shared/fixtures/forgejo/swagger.v1.json`, Swagger 2.0,
 * converted to OpenAPI 3 with swagger2openapi) with openapi-backend and ajv. An invalid request is
 * answered 422 and recorded in `violations`, as is an invalid response, an undeclared status, and any
 * operation the double does not implement. Repository endpoints need `Authorization: token <t>`;
 * `GET /version` answers without one, as Forgejo does.
 *
 * @throws Error when the API description is absent (see `hasForgejoApiDescription`).
 * @example
 * ```ts
 * const forgejo = await startForgejoApi({ owner: 'acme', repo: 'app', token: 't' });
 * forgejo.state.addCommits([{ sha, subject: 'feat: one', author }]);
 * // ... fetch(`${forgejo.apiUrl}/repos/acme/app/tags`, { headers: { authorization: 'token t' } })
 * forgejo.assertNoViolations();
 * await forgejo.stop();
 * ```
 */
export async function startForgejoApi(options: ForgejoApiOptions = {}): Promise<ForgejoApi> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'app';
  const token = options.token ?? 'forgejo_testtoken';
  const login = options.login ?? 'forgejo-actions';
  const version = options.version ?? FORGEJO_DOUBLE_VERSION;
  const state = new ForgejoApiState({
    owner,
    repo,
    ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const double = await startOpenApiDouble({
    name: 'Forgejo API',
    api: await loadForgejoOpenApi(),
    prefix: PREFIX,
    handlers: (base) => createHandlers(state, base, login, version),
    authorize(authorization, operationId, base) {
      if (operationId === 'getVersion') return undefined;
      const match = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? '');
      return match && match[1] === token ? undefined : { status: 401, body: { message: 'token is required', url: `${base}/api/swagger` } };
    },
    badJsonStatus: 422,
    errorBody: (_status, message, base) => ({ message, url: `${base}/api/swagger` }),
  });
  return {
    serverUrl: double.base,
    apiUrl: `${double.base}${PREFIX}`,
    owner,
    repo,
    token,
    state,
    requests: double.requests,
    violations: double.violations,
    injectFailure: (failure) => double.injectFailure({ message: 'Internal Server Error', ...failure }),
    assertNoViolations: () => double.assertNoViolations(),
    stop: () => double.stop(),
  };
}

/** Forgejo's git ref name rules, as far as a tag name goes (`git check-ref-format`). */
function validTagName(name: string): boolean {
  return (
    name.length > 0 &&
    !/[\x00-\x20~^:?*[\\\x7f]/.test(name) &&
    !name.includes('..') &&
    !name.includes('@{') &&
    !name.startsWith('/') &&
    !name.endsWith('/') &&
    !name.endsWith('.') &&
    !name.endsWith('.lock') &&
    !name.split('/').some((part) => part.startsWith('.') || part === '')
  );
}

function createHandlers(state: ForgejoApiState, base: () => string, login: string, version: string): Record<string, Handler> {
  const repoApi = (): string => `${base()}/api/v1/repos/${state.owner}/${state.repo}`;
  const repoHtml = (): string => `${base()}/${state.owner}/${state.repo}`;
  const error = (status: number, message: string): Reply => ({ status, body: { message, url: `${base()}/api/swagger` } });
  const notFound = (message = 'The target couldn\'t be found.'): Reply => ({ status: 404, body: { message, url: `${base()}/api/swagger`, errors: [] } });
  const checkRepo = (params: Params): Reply | undefined =>
    params.owner?.toLowerCase() === state.owner.toLowerCase() && params.repo?.toLowerCase() === state.repo.toLowerCase() ? undefined : notFound();

  const user = {
    id: 1,
    login,
    login_name: '',
    full_name: '',
    email: `${login}@noreply.localhost`,
    avatar_url: `${base()}/avatars/1`,
    html_url: `${base()}/${login}`,
    language: '',
    is_admin: false,
    restricted: false,
    active: true,
    prohibit_login: false,
    location: '',
    website: '',
    description: '',
    visibility: 'public',
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
    username: login,
  };

  const commitMeta = (sha: string): Record<string, unknown> => ({
    url: `${repoApi()}/git/commits/${sha}`,
    sha,
    created: state.commits.get(sha)?.authoredAt ?? state.timestamp(),
  });
  const tag = (t: ForgejoTagRecord): Record<string, unknown> => ({
    name: t.name,
    message: t.message,
    id: t.id,
    commit: commitMeta(t.commitSha),
    zipball_url: `${repoHtml()}/archive/${t.name}.zip`,
    tarball_url: `${repoHtml()}/archive/${t.name}.tar.gz`,
    archive_download_count: { zip: 0, tar_gz: 0 },
  });
  const release = (r: ForgejoReleaseRecord): Record<string, unknown> => ({
    id: r.id,
    tag_name: r.tagName,
    target_commitish: r.targetCommitish,
    name: r.name,
    body: r.body,
    url: `${repoApi()}/releases/${r.id}`,
    html_url: `${repoHtml()}/releases/tag/${r.tagName}`,
    tarball_url: `${repoHtml()}/archive/${r.tagName}.tar.gz`,
    zipball_url: `${repoHtml()}/archive/${r.tagName}.zip`,
    upload_url: `${repoApi()}/releases/${r.id}/assets`,
    hide_archive_links: false,
    archive_download_count: { zip: 0, tar_gz: 0 },
    draft: r.draft,
    prerelease: r.prerelease,
    created_at: r.createdAt,
    published_at: r.publishedAt,
    author: user,
    assets: [],
  });
  const commit = (sha: string): Record<string, unknown> => {
    const c = state.commits.get(sha)!;
    const date = c.authoredAt ?? state.timestamp();
    const person = { name: c.author.name, email: c.author.email, date };
    return {
      url: `${repoApi()}/git/commits/${sha}`,
      sha,
      created: date,
      html_url: `${repoHtml()}/commit/${sha}`,
      commit: {
        url: `${repoApi()}/git/commits/${sha}`,
        author: person,
        committer: person,
        message: c.body ? `${c.subject}\n\n${c.body}\n` : `${c.subject}\n`,
        tree: { url: `${repoApi()}/git/trees/${sha}`, sha, created: date },
        verification: { verified: false, reason: 'gpg.error.not_signed_commit', signature: '', payload: '' },
      },
      parents: (c.parents ?? []).map(commitMeta),
    };
  };
  /** `page` (1-based) and `limit` as Forgejo reads them (default 30, at most 50), with `X-Total-Count` and `Link`. */
  const paginate = <T>(items: T[], ctx: HandlerContext, path: string): { page: T[]; headers: Record<string, string> } => {
    const limit = Math.min(Math.max(Number(ctx.query.limit ?? 30) || 30, 1), 50);
    const page = Math.max(Number(ctx.query.page ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / limit), 1);
    const link = (p: number, rel: string): string => `<${repoApi()}${path}?limit=${limit}&page=${p}>; rel="${rel}"`;
    const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
    return {
      page: items.slice((page - 1) * limit, page * limit),
      headers: { 'x-total-count': String(items.length), ...(links.length > 0 ? { link: links.join(',') } : {}) },
    };
  };
  const ensureTag = (r: ForgejoReleaseRecord): Reply | undefined => {
    if (r.draft || state.tags.has(r.tagName)) return undefined;
    const sha = state.resolveCommitish(r.targetCommitish);
    if (!sha) return notFound(`target commitish ${r.targetCommitish} does not exist`);
    state.addTag(r.tagName, sha);
    return undefined;
  };
  const ancestors = (sha: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      for (const parent of state.commits.get(next)?.parents ?? []) stack.push(parent);
    }
    return seen;
  };

  return {
    getVersion: () => ({ status: 200, body: { version } }),
    repoListTags: (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const newestFirst = [...state.tags.values()].reverse();
      const { page, headers } = paginate(newestFirst, ctx, '/tags');
      return { status: 200, body: page.map(tag), headers };
    },
    repoGetTag: (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const t = state.tags.get(ctx.params.tag!);
      return t ? { status: 200, body: tag(t) } : notFound();
    },
    repoCreateTag: (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const name = String(ctx.body.tag_name);
      if (!validTagName(name)) return error(422, `tag name ${JSON.stringify(name)} is invalid`);
      const target = typeof ctx.body.target === 'string' && ctx.body.target !== '' ? ctx.body.target : state.defaultBranch;
      const sha = state.resolveCommitish(target);
      if (!sha) return notFound('target not found');
      // Node runs this synchronously: check-and-set is atomic, as Forgejo's is. The description
      // declares 409 with no body.
      if (state.tags.has(name)) return { status: 409 };
      const message = typeof ctx.body.message === 'string' && ctx.body.message !== '' ? ctx.body.message : undefined;
      return { status: 201, body: tag(state.addTag(name, sha, message)) };
    },
    repoListReleases: (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      let list = [...state.releases].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
      if (ctx.query.draft !== undefined) list = list.filter((r) => r.draft === (ctx.query.draft === 'true'));
      if (ctx.query['pre-release'] !== undefined) list = list.filter((r) => r.prerelease === (ctx.query['pre-release'] === 'true'));
      const { page, headers } = paginate(list, ctx, '/releases');
      return { status: 200, body: page.map(release), headers };
    },
    repoCreateRelease: (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const tagName = String(ctx.body.tag_name);
      if (!validTagName(tagName)) return error(422, `tag name ${JSON.stringify(tagName)} is invalid`);
      if (state.releases.some((r) => r.tagName === tagName)) return error(409, `a release with tag ${tagName} already exists`);
      const now = state.timestamp();
      const r: ForgejoReleaseRecord = {
        id: state.id(),
        tagName,
        targetCommitish: typeof ctx.body.target_commitish === 'string' && ctx.body.target_commitish !== '' ? ctx.body.target_commitish : state.defaultBranch,
        name: typeof ctx.body.name === 'string' ? ctx.body.name : '',
        body: typeof ctx.body.body === 'string' ? ctx.body.body : '',
        draft: ctx.body.draft === true,
        prerelease: ctx.body.prerelease === true,
        createdAt: now,
        publishedAt: now,
      };
      const failed = ensureTag(r);
      if (failed) return failed;
      state.releases.push(r);
      return { status: 201, body: release(r) };
    },
    repoGetRelease: (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const r = state.releases.find((x) => x.id === Number(ctx.params.id));
      return r ? { status: 200, body: release(r) } : notFound();
    },
    repoGetReleaseByTag: (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      // Forgejo finds drafts by tag too (a draft keeps its tag name; the git tag comes at publication).
      const r = state.releases.find((x) => x.tagName === ctx.params.tag);
      return r ? { status: 200, body: release(r) } : notFound();
    },
    repoEditRelease: (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const r = state.releases.find((x) => x.id === Number(ctx.params.id));
      if (!r) return notFound();
      const b = ctx.body;
      const next = { ...r };
      if (typeof b.tag_name === 'string' && b.tag_name !== '') next.tagName = b.tag_name;
      if (typeof b.target_commitish === 'string' && b.target_commitish !== '') next.targetCommitish = b.target_commitish;
      if (typeof b.name === 'string') next.name = b.name;
      if (typeof b.body === 'string') next.body = b.body;
      if (typeof b.draft === 'boolean') next.draft = b.draft;
      if (typeof b.prerelease === 'boolean') next.prerelease = b.prerelease;
      if (r.draft && !next.draft) next.publishedAt = state.timestamp();
      const failed = ensureTag(next);
      if (failed) return failed;
      Object.assign(r, next);
      return { status: 200, body: release(r) };
    },
    repoCompareDiff: (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const parts = /^(.+?)\.\.\.?(.+)$/.exec(ctx.params.basehead ?? '');
      const baseSha = parts ? state.resolveCommitish(parts[1]!) : undefined;
      const headSha = parts ? state.resolveCommitish(parts[2]!) : undefined;
      if (!baseSha || !headSha) return notFound();
      const fromBase = ancestors(baseSha);
      // `git log base..head`: newest first.
      const ahead = [...ancestors(headSha)].filter((s) => !fromBase.has(s)).sort((a, b) => state.commits.get(b)!.order - state.commits.get(a)!.order);
      return { status: 200, body: { total_commits: ahead.length, commits: ahead.map(commit), files: [] } };
    },
    repoListAllGitRefs: (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const refs = [
        ...[...state.branches].map(([name, sha]) => ({ ref: `refs/heads/${name}`, type: 'commit', sha })),
        ...[...state.tags.values()].map((t) => ({ ref: `refs/tags/${t.name}`, type: t.id === t.commitSha ? 'commit' : 'tag', sha: t.id })),
      ].sort((a, b) => a.ref.localeCompare(b.ref));
      return {
        status: 200,
        body: refs.map((r) => ({
          ref: r.ref,
          url: `${repoApi()}/git/${r.ref}`,
          object: { type: r.type, sha: r.sha, url: `${repoApi()}/git/${r.type === 'tag' ? 'tags' : 'commits'}/${r.sha}` },
        })),
      };
    },
  };
}
