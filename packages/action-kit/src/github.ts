// The forge side of an action: loaded lazily (a dynamic import of `@tagwright/action-kit/github`),
// since octokit lives behind it. NOT exported from action-kit's index.
import { ConfigurationError } from '@tagwright/core/errors';
import { detectForge, createForgejoClient, forgejoReleaseStore } from '@tagwright/core/forgejo';
import type { ForgeDetection } from '@tagwright/core/forgejo';
import { createGitRunner } from '@tagwright/core/git';
import { createGitHubClient, githubReleaseStore } from '@tagwright/core/github';
import type { GitHubClient } from '@tagwright/core/github';
import type { ReleasePorts, ReleaseStore } from '@tagwright/core/release';
import type { ForgeChoice } from './forge.js';
import type { ActionRuntime } from './run-action.js';

type Runtime = Pick<ActionRuntime, 'context' | 'env' | 'warning' | 'info'>;

/**
 * The GitHub client of a workflow run, for GitHub-only APIs (GHCR package versions): the repository
 * (`GITHUB_REPOSITORY`, or `fallbackRepository` for endpoints that do not use one), the API URL
 * (`GITHUB_API_URL`) and a token. Releases and tags go through {@link createReleaseStore} instead,
 * which picks the forge.
 *
 * @param options - the token, the user agent, what the client is for (error messages), and the fallback repository.
 * @throws ConfigurationError when no repository is known.
 */
export function createForgeClient(
  runtime: Pick<Runtime, 'context' | 'warning'>,
  options: { token: string; userAgent: string; purpose: string; fallbackRepository?: string },
): GitHubClient {
  const repository = runtime.context.repository ?? options.fallbackRepository;
  if (!repository) throw new ConfigurationError('MISSING_INPUT', `${options.purpose}: GITHUB_REPOSITORY is not set (owner/repo)`);
  return createGitHubClient({
    token: options.token,
    repository,
    ...(runtime.context.apiUrl ? { baseUrl: runtime.context.apiUrl } : {}),
    userAgent: options.userAgent,
    onWarning: (message) => runtime.warning(message),
  });
}

/**
 * The one factory of the release port ({@link ReleaseStore}) of a workflow run: decides the forge
 * first with core's `detectForge` (the `forge` input, else `GITHUB_SERVER_URL`/`GITHUB_API_URL`;
 * an unknown forge sends `GET <server>/api/v1/version` without credentials), then, and only then,
 * builds that forge's client with the token: GitHub (`githubReleaseStore`) or Forgejo/Gitea
 * (`forgejoReleaseStore`, API under `<server>/api/v1`). Fails closed: the token never reaches an
 * API whose forge is not known.
 *
 * @param options - the token, the user agent, what the store is for (error messages), the `forge` input.
 * @returns the store and how the forge was chosen.
 * @throws ConfigurationError when GITHUB_REPOSITORY is not set, or `FORGE_UNKNOWN` when the forge
 *   cannot be told (naming the `forge` input).
 */
export async function createReleaseStore(
  runtime: Pick<Runtime, 'context' | 'warning' | 'info'>,
  options: { token: string; userAgent: string; purpose: string; forge: ForgeChoice; fetch?: typeof globalThis.fetch },
): Promise<{ store: ReleaseStore; detection: ForgeDetection }> {
  const repository = runtime.context.repository;
  if (!repository) throw new ConfigurationError('MISSING_INPUT', `${options.purpose}: GITHUB_REPOSITORY is not set (owner/repo)`);
  const detection = await detectForge({
    serverUrl: runtime.context.serverUrl,
    ...(runtime.context.apiUrl !== undefined ? { apiUrl: runtime.context.apiUrl } : {}),
    forge: options.forge,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  runtime.info(`${options.purpose}: forge ${detection.forge} at ${detection.apiUrl} (${detection.reason})`);
  if (detection.forge === 'forgejo') {
    const forgejo = createForgejoClient({
      apiUrl: detection.apiUrl,
      token: options.token,
      repository,
      userAgent: options.userAgent,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return { store: forgejoReleaseStore(forgejo, { serverUrl: detection.serverUrl }), detection };
  }
  const github = createGitHubClient({
    token: options.token,
    repository,
    baseUrl: detection.apiUrl,
    userAgent: options.userAgent,
    onWarning: (message) => runtime.warning(message),
  });
  return { store: githubReleaseStore(github, { serverUrl: detection.serverUrl }), detection };
}

/**
 * The ports of core's release use case for a workflow run: the release store of the forge
 * ({@link createReleaseStore}), git in the runner's environment, the workspace checkout, the runtime's log.
 *
 * @throws ConfigurationError when GITHUB_REPOSITORY is not set or the forge cannot be told.
 */
export async function createReleasePorts(
  runtime: Runtime,
  options: { token: string | undefined; userAgent: string; forge: ForgeChoice },
): Promise<ReleasePorts> {
  const { store } = await createReleaseStore(runtime, { token: options.token ?? '', userAgent: options.userAgent, purpose: 'create the release', forge: options.forge });
  return {
    store,
    git: createGitRunner({ env: { ...runtime.env } }),
    ...(runtime.context.workspace !== undefined ? { workspace: runtime.context.workspace } : {}),
    onProgress: (message) => runtime.info(message),
    onWarning: (message) => runtime.warning(message),
  };
}
