import { startOpenApiDouble, type Handler, type HandlerContext, type RecordedRequest, type Reply, type Violation } from '../openapi/double.js';
import { loadGitHubOpenApi } from './openapi.js';
import {
  GitHubApiState,
  type PackageOwner,
  type PackageVersionRecord,
  type ReleaseRecord,
  type SeedCommit,
} from './state.js';

export type { RecordedRequest, Violation } from '../openapi/double.js';

/** Options of {@link startGitHubApi}. */
export interface GitHubApiOptions {
  owner?: string;
  repo?: string;
  /** The only token accepted, as `Authorization: token <t>` or `Bearer <t>`. */
  token?: string;
  /** The login of the token's account (`/user/...`). */
  login?: string;
  /** Clock for `created_at` and friends. */
  now?: () => Date;
}

/** A running GitHub API double. */
export interface GitHubApi {
  /** `http://127.0.0.1:<port>`: pass as Octokit's `baseUrl`. */
  url: string;
  owner: string;
  repo: string;
  token: string;
  state: GitHubApiState;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Requests and responses that broke GitHub's OpenAPI description; a test asserts it stays empty. */
  violations: Violation[];
  /**
   * Makes the next `times` requests to an operation fail with `status` (e.g. 502, or 403 with a
   * rate-limit message) before the handler runs. Injected replies are not checked against the description.
   */
  injectFailure(failure: { operationId: string; status: number; times?: number; message?: string; headers?: Record<string, string> }): void;
  /** Throws with the details when {@link GitHubApi.violations} is not empty. */
  assertNoViolations(): void;
  stop(): Promise<void>;
}

type Params = Record<string, string>;

const DOCS = 'https://docs.github.com/rest';

/**
 * Starts a local HTTP server on 127.0.0.1 (a free port) that answers like GitHub's REST API for
 * the endpoints tagwright uses: git refs (create, get, matching, delete, annotated tag objects),
 * releases (create, update, get, get by tag, list, latest, delete), compare, and container package
 * versions (list with `Link` pagination, get one, delete) for organizations and users.
 *
 * Every request (path, method, parameters, body) and every response it sends is validated against
 * GitHub's published OpenAPI description (`@octokit/openapi`) with openapi-backend and ajv. An
 * invalid request is answered 422 (400 for unparsable JSON) and recorded in `violations`, as is an
 * invalid response, an undeclared status, and any operation the double does not implement.
 *
 * @example
 * ```ts
 * const api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 't' });
 * const octokit = new Octokit({ baseUrl: api.url, auth: api.token });
 * // ...
 * api.assertNoViolations();
 * await api.stop();
 * ```
 */
export async function startGitHubApi(options: GitHubApiOptions = {}): Promise<GitHubApi> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'app';
  const token = options.token ?? 'ghs_testtoken';
  const state = new GitHubApiState({ owner, repo, login: options.login ?? 'octocat', ...(options.now ? { now: options.now } : {}) });
  const double = await startOpenApiDouble({
    name: 'GitHub API',
    api: await loadGitHubOpenApi(),
    handlers: (base) => createHandlers(state, base),
    normalizePath,
    authorizeBeforeMatch: true,
    authorize(authorization) {
      const match = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? '');
      if (match && match[1] === token) return undefined;
      return error(401, match ? 'Bad credentials' : 'Requires authentication');
    },
    errorBody: (status, message) => ({ message, documentation_url: DOCS, status: String(status) }),
    headers: { 'x-github-api-version-selected': '2022-11-28' },
    responseMediaType: 'application/json',
  });
  return {
    url: double.base,
    owner,
    repo,
    token,
    state,
    requests: double.requests,
    violations: double.violations,
    injectFailure: (failure) => double.injectFailure(failure),
    assertNoViolations: () => double.assertNoViolations(),
    stop: () => double.stop(),
  };
}

/** Encodes the slashes of a ref in the paths that take one (`git/ref/tags/v1` → `git/ref/tags%2Fv1`), as Octokit sends them. */
function normalizePath(pathname: string): string {
  const match = /^(\/repos\/[^/]+\/[^/]+\/git\/(?:ref|refs|matching-refs))\/(.+)$/.exec(pathname);
  if (!match) return pathname;
  return `${match[1]}/${match[2]!.split('/').join('%2F')}`;
}

function error(status: number, message: string, docs = DOCS, extra: Record<string, unknown> = {}): Reply {
  return { status, body: { message, documentation_url: docs, status: String(status), ...extra } };
}

/** A page of `items` and the `Link` header GitHub sends (`per_page` default 30, at most 100). */
function paginate<T>(items: readonly T[], ctx: HandlerContext, defaultPerPage = 30, maxPerPage = 100): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(ctx.query.per_page ?? defaultPerPage) || defaultPerPage, 1), maxPerPage);
  const pageNumber = Math.max(Number(ctx.query.page ?? 1) || 1, 1);
  const lastPage = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (page: number, rel: string): string => {
    const url = new URL(ctx.url);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(page));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (pageNumber > 1) links.push(link(pageNumber - 1, 'prev'), link(1, 'first'));
  if (pageNumber < lastPage) links.push(link(pageNumber + 1, 'next'), link(lastPage, 'last'));
  return {
    page: items.slice((pageNumber - 1) * perPage, pageNumber * perPage),
    headers: links.length > 0 ? { link: links.join(', ') } : {},
  };
}

/** `git check-ref-format` rules, as GitHub applies them to `POST /git/refs`. */
function validRefName(ref: string): boolean {
  if (!/^refs\/[^/]+\/.+/.test(ref)) return false;
  if (/\.\.|@\{|[\x00-\x20\x7f~^:?*[\\]|\/\/|\/\.|\.lock(\/|$)|[/.]$/.test(ref)) return false;
  return ref !== '@';
}

function createHandlers(state: GitHubApiState, base: () => string): Record<string, Handler> {
  const repoApi = (): string => `${base()}/repos/${state.owner}/${state.repo}`;
  const repoHtml = `https://github.com/${state.owner}/${state.repo}`;
  const nodeId = (kind: string, id: string | number): string => Buffer.from(`${kind}:${id}`).toString('base64url');
  const checkRepo = (params: Params): Reply | undefined =>
    params.owner === state.owner && params.repo === state.repo ? undefined : error(404, 'Not Found');

  const user = (login: string, id = 1): Record<string, unknown> => {
    const url = `${base()}/users/${login}`;
    return {
      login,
      id,
      node_id: nodeId('User', id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url,
      html_url: `https://github.com/${login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: 'User',
      site_admin: false,
    };
  };

  const gitRef = (ref: string): Record<string, unknown> => {
    const record = state.refs.get(ref)!;
    return {
      ref,
      node_id: nodeId('Ref', ref),
      url: `${repoApi()}/git/${ref}`,
      object: {
        type: record.type,
        sha: record.sha,
        url: `${repoApi()}/git/${record.type === 'tag' ? 'tags' : 'commits'}/${record.sha}`,
      },
    };
  };

  const release = (r: ReleaseRecord): Record<string, unknown> => {
    const url = `${repoApi()}/releases/${r.id}`;
    return {
      url,
      html_url: `${repoHtml}/releases/${r.draft ? `untagged-${r.id}` : `tag/${encodeURIComponent(r.tagName)}`}`,
      assets_url: `${url}/assets`,
      upload_url: `${base()}/repos/${state.owner}/${state.repo}/releases/${r.id}/assets{?name,label}`,
      tarball_url: `${repoApi()}/tarball/${encodeURIComponent(r.tagName)}`,
      zipball_url: `${repoApi()}/zipball/${encodeURIComponent(r.tagName)}`,
      id: r.id,
      node_id: nodeId('Release', r.id),
      tag_name: r.tagName,
      target_commitish: r.targetCommitish,
      name: r.name,
      body: r.body,
      draft: r.draft,
      prerelease: r.prerelease,
      immutable: false,
      created_at: r.createdAt,
      published_at: r.publishedAt,
      updated_at: r.updatedAt,
      author: user(state.login),
      assets: [],
    };
  };

  const commit = (sha: string): Record<string, unknown> => {
    const c = state.commits.get(sha)!;
    const date = c.authoredAt ?? state.timestamp();
    const gitUser = { name: c.author.name, email: c.author.email, date };
    return {
      url: `${repoApi()}/commits/${sha}`,
      sha,
      node_id: nodeId('Commit', sha),
      html_url: `${repoHtml}/commit/${sha}`,
      comments_url: `${repoApi()}/commits/${sha}/comments`,
      commit: {
        url: `${repoApi()}/git/commits/${sha}`,
        author: gitUser,
        committer: gitUser,
        message: c.body ? `${c.subject}\n\n${c.body}` : c.subject,
        comment_count: 0,
        tree: { sha: sha.split('').reverse().join(''), url: `${repoApi()}/git/trees/${sha}` },
      },
      author: c.author.login ? user(c.author.login, 2) : null,
      committer: c.author.login ? user(c.author.login, 2) : null,
      parents: (c.parents ?? []).map((p) => ({ sha: p, url: `${repoApi()}/commits/${p}`, html_url: `${repoHtml}/commit/${p}` })),
    };
  };

  const packageVersion = (owner: PackageOwner, name: string, v: PackageVersionRecord): Record<string, unknown> => {
    const who = 'org' in owner ? owner.org : owner.user;
    const ownerPath = 'org' in owner ? `orgs/${who}` : `users/${who}`;
    return {
      id: v.id,
      name: v.name,
      url: `${base()}/${ownerPath}/packages/container/${encodeURIComponent(name)}/versions/${v.id}`,
      package_html_url: `https://github.com/${'org' in owner ? 'orgs/' : ''}${who}/packages/container/package/${encodeURIComponent(name)}`,
      html_url: `https://github.com/${'org' in owner ? 'orgs/' : ''}${who}/packages/container/${encodeURIComponent(name)}/${v.id}`,
      created_at: v.createdAt,
      updated_at: v.updatedAt,
      metadata: { package_type: 'container', container: { tags: v.tags } },
    };
  };

  /** GitHub: "Defaults to true for newly published releases"; drafts and prereleases are never latest. */
  const applyMakeLatest = (r: ReleaseRecord, makeLatest: unknown, newlyPublished: boolean): void => {
    if (r.draft || r.prerelease) {
      if (state.latestReleaseId === r.id) state.latestReleaseId = undefined;
      return;
    }
    const value = makeLatest ?? (newlyPublished ? 'true' : undefined);
    if (value === 'true') state.latestReleaseId = r.id;
    if (value === 'legacy') {
      const published = state.releases.filter((x) => !x.draft && !x.prerelease);
      state.latestReleaseId = published.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)[0]?.id;
    }
  };

  /** Publishing a release for a tag that does not exist creates the tag at `target_commitish`. */
  const ensureTag = (r: ReleaseRecord): void => {
    const ref = `refs/tags/${r.tagName}`;
    if (r.draft || state.refs.has(ref)) return;
    const sha = state.resolveCommitish(r.targetCommitish);
    if (sha) state.setRef(ref, sha);
  };

  const packageOwner = (params: Params): PackageOwner =>
    params.org !== undefined ? { org: params.org } : { user: params.username ?? state.login };

  const listPackageVersions: Handler = (ctx) => {
    if (ctx.params.package_type !== 'container') return error(404, 'Package not found.');
    const owner = packageOwner(ctx.params);
    const versions = state.packageVersions(owner, ctx.params.package_name!);
    if (!versions) return error(404, 'Package not found.');
    if (ctx.query.state === 'deleted') return { status: 200, body: [] };
    const newestFirst = [...versions].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
    const { page, headers } = paginate(newestFirst, ctx);
    return { status: 200, body: page.map((v) => packageVersion(owner, ctx.params.package_name!, v)), headers };
  };

  const getPackageVersion: Handler = (ctx) => {
    if (ctx.params.package_type !== 'container') return error(404, 'Package not found.');
    const owner = packageOwner(ctx.params);
    const version = state.packageVersions(owner, ctx.params.package_name!)?.find((v) => v.id === Number(ctx.params.package_version_id));
    if (!version) return error(404, 'Package not found.');
    return { status: 200, body: packageVersion(owner, ctx.params.package_name!, version) };
  };

  const deletePackageVersion: Handler = (ctx) => {
    const owner = packageOwner(ctx.params);
    const versions = state.packageVersions(owner, ctx.params.package_name!);
    const index = versions?.findIndex((v) => v.id === Number(ctx.params.package_version_id)) ?? -1;
    if (!versions || index < 0) return error(404, 'Package not found.');
    versions.splice(index, 1);
    return { status: 204 };
  };

  const handlers: Record<string, Handler> = {
    'git/create-ref': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const ref = String(ctx.body.ref);
      const sha = String(ctx.body.sha);
      const docs = 'https://docs.github.com/rest/git/refs#create-a-reference';
      if (!validRefName(ref)) return error(422, `${ref} is not a valid ref name.`, docs);
      if (!/^[0-9a-f]{40}$/.test(sha) || (state.commits.size > 0 && !state.commits.has(sha) && !state.tagObjects.has(sha))) {
        return error(422, 'Object does not exist', docs);
      }
      // Node runs this synchronously: check-and-set is atomic, as GitHub's is.
      if (state.refs.has(ref)) return error(422, 'Reference already exists', docs);
      if (state.tagObjects.has(sha)) state.refs.set(ref, { ref, sha, type: 'tag' });
      else state.setRef(ref, sha);
      const body = gitRef(ref);
      return { status: 201, body, headers: { location: String(body.url) } };
    },
    'git/get-ref': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const ref = `refs/${ctx.params.ref}`;
      if (!state.refs.has(ref)) return error(404, 'Not Found', 'https://docs.github.com/rest/git/refs#get-a-reference');
      return { status: 200, body: gitRef(ref) };
    },
    'git/list-matching-refs': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const prefix = `refs/${ctx.params.ref}`;
      const refs = [...state.refs.keys()].filter((r) => r.startsWith(prefix)).sort();
      return { status: 200, body: refs.map(gitRef) };
    },
    'git/delete-ref': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const ref = `refs/${ctx.params.ref}`;
      if (!state.refs.delete(ref)) return error(422, 'Reference does not exist', 'https://docs.github.com/rest/git/refs#delete-a-reference');
      return { status: 204 };
    },
    'git/get-tag': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const tag = state.tagObjects.get(ctx.params.tag_sha!);
      if (!tag) return error(404, 'Not Found');
      return {
        status: 200,
        body: {
          node_id: nodeId('Tag', tag.sha),
          tag: tag.tag,
          sha: tag.sha,
          url: `${repoApi()}/git/tags/${tag.sha}`,
          message: tag.message,
          tagger: tag.tagger,
          object: { sha: tag.objectSha, type: 'commit', url: `${repoApi()}/git/commits/${tag.objectSha}` },
          verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
        },
      };
    },
    'repos/create-release': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const tagName = String(ctx.body.tag_name);
      if (state.releases.some((r) => r.tagName === tagName)) {
        return error(422, 'Validation Failed', 'https://docs.github.com/rest/releases/releases#create-a-release', {
          errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
        });
      }
      const now = state.timestamp();
      const draft = ctx.body.draft === true;
      const r: ReleaseRecord = {
        id: state.id(),
        tagName,
        targetCommitish: typeof ctx.body.target_commitish === 'string' ? ctx.body.target_commitish : 'main',
        name: typeof ctx.body.name === 'string' ? ctx.body.name : null,
        body: typeof ctx.body.body === 'string' ? ctx.body.body : null,
        draft,
        prerelease: ctx.body.prerelease === true,
        createdAt: now,
        publishedAt: draft ? null : now,
        updatedAt: now,
      };
      state.releases.push(r);
      ensureTag(r);
      applyMakeLatest(r, ctx.body.make_latest, !draft);
      return { status: 201, body: release(r), headers: { location: `${repoApi()}/releases/${r.id}` } };
    },
    'repos/update-release': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const r = state.releases.find((x) => x.id === Number(ctx.params.release_id));
      if (!r) return error(404, 'Not Found');
      const b = ctx.body;
      const wasDraft = r.draft;
      if (typeof b.tag_name === 'string') r.tagName = b.tag_name;
      if (typeof b.target_commitish === 'string') r.targetCommitish = b.target_commitish;
      if (typeof b.name === 'string') r.name = b.name;
      if (typeof b.body === 'string') r.body = b.body;
      if (typeof b.draft === 'boolean') r.draft = b.draft;
      if (typeof b.prerelease === 'boolean') r.prerelease = b.prerelease;
      const newlyPublished = wasDraft && !r.draft;
      if (newlyPublished) r.publishedAt = state.timestamp();
      r.updatedAt = state.timestamp();
      ensureTag(r);
      applyMakeLatest(r, b.make_latest, newlyPublished);
      return { status: 200, body: release(r) };
    },
    'repos/get-release': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const r = state.releases.find((x) => x.id === Number(ctx.params.release_id));
      return r ? { status: 200, body: release(r) } : error(404, 'Not Found');
    },
    'repos/get-release-by-tag': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      // As on GitHub, a draft is not found by tag (it has no tag yet).
      const r = state.releases.find((x) => x.tagName === ctx.params.tag && !x.draft);
      return r ? { status: 200, body: release(r) } : error(404, 'Not Found', 'https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name');
    },
    'repos/get-latest-release': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const r = state.releases.find((x) => x.id === state.latestReleaseId && !x.draft && !x.prerelease);
      return r ? { status: 200, body: release(r) } : error(404, 'Not Found');
    },
    'repos/list-releases': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const newestFirst = [...state.releases].sort((a, b) => b.id - a.id);
      const { page, headers } = paginate(newestFirst, ctx);
      return { status: 200, body: page.map(release), headers };
    },
    'repos/delete-release': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      const index = state.releases.findIndex((x) => x.id === Number(ctx.params.release_id));
      if (index < 0) return error(404, 'Not Found');
      const [removed] = state.releases.splice(index, 1);
      if (state.latestReleaseId === removed!.id) state.latestReleaseId = undefined;
      return { status: 204 };
    },
    'repos/compare-commits': (ctx) => handlers['repos/compare-commits-with-basehead']!(ctx),
    'repos/compare-commits-with-basehead': (ctx) => {
      const bad = checkRepo(ctx.params);
      if (bad) return bad;
      // GitHub's description has both `/compare/{basehead}` and `/compare/{base}...{head}`: read the path itself.
      const basehead = decodeURIComponent(ctx.url.pathname.replace(/^.*?\/compare\//, ''));
      const parts = /^(.+?)\.\.\.?(.+)$/.exec(basehead);
      const baseSha = parts ? state.resolveCommitish(parts[1]!) : undefined;
      const headSha = parts ? state.resolveCommitish(parts[2]!) : undefined;
      if (!baseSha || !headSha || !state.commits.has(baseSha) || !state.commits.has(headSha)) {
        return error(404, 'Not Found', 'https://docs.github.com/rest/commits/commits#compare-two-commits');
      }
      const fromHead = ancestors(state, headSha);
      const fromBase = ancestors(state, baseSha);
      const ahead = orderOldestFirst(state, [...fromHead].filter((s) => !fromBase.has(s)));
      const behindBy = [...fromBase].filter((s) => !fromHead.has(s)).length;
      const mergeBase = [...fromBase].filter((s) => fromHead.has(s)).sort((a, b) => state.commits.get(b)!.order - state.commits.get(a)!.order);
      const mergeBaseSha = bestCommonAncestor(state, baseSha, fromHead) ?? mergeBase[0] ?? baseSha;
      const { page, headers } = paginate(ahead, ctx, 250, 250);
      const status = ahead.length === 0 && behindBy === 0 ? 'identical' : behindBy === 0 ? 'ahead' : ahead.length === 0 ? 'behind' : 'diverged';
      return {
        status: 200,
        headers,
        body: {
          url: `${repoApi()}/compare/${basehead}`,
          html_url: `${repoHtml}/compare/${basehead}`,
          permalink_url: `${repoHtml}/compare/${state.owner}:${baseSha.slice(0, 7)}...${state.owner}:${headSha.slice(0, 7)}`,
          diff_url: `${repoHtml}/compare/${basehead}.diff`,
          patch_url: `${repoHtml}/compare/${basehead}.patch`,
          base_commit: commit(baseSha),
          merge_base_commit: commit(mergeBaseSha),
          status,
          ahead_by: ahead.length,
          behind_by: behindBy,
          total_commits: ahead.length,
          commits: page.map(commit),
          files: [],
        },
      };
    },
    'packages/get-all-package-versions-for-package-owned-by-org': listPackageVersions,
    'packages/get-all-package-versions-for-package-owned-by-authenticated-user': listPackageVersions,
    'packages/get-all-package-versions-for-package-owned-by-user': listPackageVersions,
    'packages/get-package-version-for-organization': getPackageVersion,
    'packages/get-package-version-for-authenticated-user': getPackageVersion,
    'packages/get-package-version-for-user': getPackageVersion,
    'packages/delete-package-version-for-org': deletePackageVersion,
    'packages/delete-package-version-for-authenticated-user': deletePackageVersion,
    'packages/delete-package-version-for-user': deletePackageVersion,
  };
  return handlers;
}

function ancestors(state: GitHubApiState, sha: string): Set<string> {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    for (const parent of state.commits.get(next)?.parents ?? []) stack.push(parent);
  }
  return seen;
}

/** The first commit reachable from `base` (breadth first) that `head` also reaches. */
function bestCommonAncestor(state: GitHubApiState, base: string, fromHead: Set<string>): string | undefined {
  const queue = [base];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    if (fromHead.has(next)) return next;
    queue.push(...(state.commits.get(next)?.parents ?? []));
  }
  return undefined;
}

/** Parents before children; among commits ready at once, the older author date first. */
function orderOldestFirst(state: GitHubApiState, shas: string[]): string[] {
  const set = new Set(shas);
  const done = new Set<string>();
  const out: string[] = [];
  const key = (sha: string): [string, number] => {
    const c = state.commits.get(sha)!;
    return [c.authoredAt ?? '', -c.order];
  };
  while (out.length < shas.length) {
    const ready = shas.filter(
      (s) => !done.has(s) && (state.commits.get(s)?.parents ?? []).every((p) => !set.has(p) || done.has(p)),
    );
    if (ready.length === 0) break;
    ready.sort((a, b) => {
      const [da, oa] = key(a);
      const [db, ob] = key(b);
      return da.localeCompare(db) || oa - ob;
    });
    done.add(ready[0]!);
    out.push(ready[0]!);
  }
  return out;
}

export type { SeedCommit };
