import { ConfigurationError } from '../errors.js';
import { redact } from '../redact.js';

/** The forges tagwright has a release backend for. */
export type Forge = 'github' | 'forgejo';

/** What {@link detectForge} found, and why. */
export interface ForgeDetection {
  forge: Forge;
  /** The server, e.g. `https://code.example` (no trailing slash). */
  serverUrl: string;
  /** The REST API root for that forge: `https://api.github.com`, `<server>/api/v3` (GHES) or `<server>/api/v1` (Forgejo). */
  apiUrl: string;
  /** Forgejo only: what `GET /api/v1/version` answered, e.g. `11.0.3+gitea-1.22.0`. */
  version?: string;
  /** Forgejo only: `gitea` when the version names no Forgejo release (Gitea speaks the same API). */
  flavor?: 'forgejo' | 'gitea';
  /** One line for the log: how the forge was chosen. */
  reason: string;
}

/** Options of {@link detectForge}. */
export interface DetectForgeOptions {
  /** `GITHUB_SERVER_URL`: `https://github.com`, a GHES host, or a Forgejo host (also set by Forgejo runners). */
  serverUrl: string;
  /** `GITHUB_API_URL` when set: `https://api.github.com`, `<server>/api/v3`, or `<server>/api/v1` on Forgejo. */
  apiUrl?: string;
  /** The `forge` input: `auto` (default) detects; `github` or `forgejo` forces it without a request. */
  forge?: 'auto' | Forge;
  /** Injected `fetch`; default `globalThis.fetch`. No credential is ever sent by detection. */
  fetch?: typeof globalThis.fetch;
  /** Timeout of the version request in milliseconds; default 10 000. */
  timeoutMs?: number;
}

/**
 * Reads a Forgejo or Gitea version string (`11.0.3+gitea-1.22.0`, `7.0.0+gitea-1.21.0`, `1.22.0`).
 * Pure.
 *
 * @param version - the `version` field of `GET /api/v1/version`.
 * @returns `forgejo` when the version carries a `+gitea-` build part (Forgejo's scheme), `gitea` for a
 *   plain SemVer-like version; undefined when it is neither.
 */
export function forgejoFlavorOf(version: string): 'forgejo' | 'gitea' | undefined {
  if (/^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?\+gitea-\d+\.\d+\.\d+/.test(version)) return 'forgejo';
  if (/^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/.test(version)) return 'gitea';
  return undefined;
}

function parseHttpUrl(text: string, input: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new ConfigurationError('INVALID_INPUT', `detect the forge: ${input} ${JSON.stringify(redact(text))} is not a URL`, { cause });
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new ConfigurationError('INVALID_INPUT', `detect the forge: ${input} ${JSON.stringify(redact(text))} must be an http(s) URL without credentials, query or fragment`);
  }
  return url;
}

const trim = (url: URL): string => url.href.replace(/\/+$/, '');

/**
 * Decides which forge's API to talk to, before any token is sent anywhere (fail closed):
 *
 * - `forge: github` / `forge: forgejo` force it (the API URL is `apiUrl`, or derived from `serverUrl`).
 * - `https://github.com` / `https://api.github.com`, or an API URL ending in `/api/v3` (GitHub
 *   Enterprise Server) → `github`, with no request.
 * - Otherwise `GET <server>/api/v1/version` is sent **without credentials**; a JSON
 *   `{ "version": "<Forgejo or Gitea version>" }` → `forgejo`.
 * - Anything else (unreachable, timeout, 404, not JSON, an API URL that is not the server's `/api/v1`)
 *   → {@link ConfigurationError} `FORGE_UNKNOWN`, which names the `forge` input.
 *
 * Forgejo Actions sets `GITHUB_SERVER_URL` and `GITHUB_API_URL` in the GitHub style, with the API
 * under `/api/v1` ({@link https://forgejo.org/docs/latest/user/actions/ | Forgejo Actions}).
 *
 * @param options - see {@link DetectForgeOptions}.
 * @returns the forge, its API root and the reason.
 * @throws {@link ConfigurationError} `INVALID_INPUT` for a server or API URL that is not an http(s)
 *   URL; `FORGE_UNKNOWN` when the forge cannot be told.
 * @example
 * ```ts
 * const { forge, apiUrl } = await detectForge({ serverUrl: env.GITHUB_SERVER_URL!, apiUrl: env.GITHUB_API_URL });
 * const releases = forge === 'forgejo' ? createForgejoClient({ apiUrl, token, repository }) : createGitHubClient({ baseUrl: apiUrl, token, repository });
 * ```
 */
export async function detectForge(options: DetectForgeOptions): Promise<ForgeDetection> {
  const server = parseHttpUrl(options.serverUrl, 'server URL');
  const api = options.apiUrl !== undefined && options.apiUrl !== '' ? parseHttpUrl(options.apiUrl, 'API URL') : undefined;
  const serverUrl = trim(server);
  const apiUrl = api ? trim(api) : undefined;
  const isGitHubCom = server.hostname === 'github.com' || api?.hostname === 'api.github.com';
  const isGhes = apiUrl !== undefined && /\/api\/v3$/.test(apiUrl);
  const githubApi = apiUrl ?? (server.hostname === 'github.com' ? 'https://api.github.com' : `${serverUrl}/api/v3`);
  const forgejoApi = `${serverUrl}/api/v1`;
  const forced = options.forge ?? 'auto';
  if (forced !== 'auto' && forced !== 'github' && forced !== 'forgejo') {
    throw new ConfigurationError('INVALID_INPUT', `detect the forge: input forge ${JSON.stringify(forced)} must be auto, github or forgejo`);
  }

  if (forced === 'github') return { forge: 'github', serverUrl, apiUrl: githubApi, reason: 'forge: github was given' };
  if (forced === 'forgejo') {
    return { forge: 'forgejo', serverUrl, apiUrl: apiUrl && /\/api\/v1$/.test(apiUrl) ? apiUrl : forgejoApi, reason: 'forge: forgejo was given' };
  }
  if (isGitHubCom) return { forge: 'github', serverUrl, apiUrl: githubApi, reason: `${serverUrl} is GitHub.com` };
  if (isGhes) return { forge: 'github', serverUrl, apiUrl: githubApi, reason: `the API URL ${apiUrl} is GitHub Enterprise Server's /api/v3` };

  const unknown = (why: string, cause?: unknown): ConfigurationError =>
    new ConfigurationError(
      'FORGE_UNKNOWN',
      redact(`detect the forge at ${serverUrl}: ${why}; it is neither GitHub nor a Forgejo/Gitea that answers GET /api/v1/version. Set the input forge to github or forgejo if you know which it is`),
      cause === undefined ? undefined : { cause },
    );
  if (apiUrl !== undefined && apiUrl !== forgejoApi) {
    throw unknown(`the API URL ${apiUrl} is neither ${forgejoApi} nor a GitHub API`);
  }
  const versionUrl = `${forgejoApi}/version`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let response: Response;
  try {
    // No Authorization header: the token must not reach a server before we know what it is.
    response = await (options.fetch ?? globalThis.fetch)(versionUrl, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
    throw unknown(`GET ${versionUrl} ${timedOut ? `did not answer within ${timeoutMs} ms` : `failed (${cause instanceof Error ? cause.message : String(cause)})`}`, cause);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw unknown(`GET ${versionUrl} answered ${response.status}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw unknown(`GET ${versionUrl} answered ${response.status} with a body that is not JSON`, cause);
  }
  const version = (body as { version?: unknown } | null)?.version;
  const flavor = typeof version === 'string' ? forgejoFlavorOf(version) : undefined;
  if (typeof version !== 'string' || !flavor) throw unknown(`GET ${versionUrl} answered no Forgejo/Gitea version`);
  return {
    forge: 'forgejo',
    serverUrl,
    apiUrl: forgejoApi,
    version,
    flavor,
    reason: `GET ${versionUrl} answered ${flavor === 'forgejo' ? 'Forgejo' : 'Gitea'} ${version}`,
  };
}
