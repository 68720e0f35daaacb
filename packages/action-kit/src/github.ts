// The forge side of an action: loaded lazily (a dynamic import of `@tagwright/action-kit/github`),
// since octokit lives behind it. NOT exported from action-kit's index.
import { ConfigurationError } from '@tagwright/core/errors';
import { createGitRunner } from '@tagwright/core/git';
import { createGitHubClient, githubReleaseStore } from '@tagwright/core/github';
import type { GitHubClient } from '@tagwright/core/github';
import type { ReleasePorts } from '@tagwright/core/release';
import type { ActionRuntime } from './run-action.js';

type Runtime = Pick<ActionRuntime, 'context' | 'env' | 'warning' | 'info'>;

/**
 * The one factory of the forge client of a workflow run: the repository (`GITHUB_REPOSITORY`, or
 * `fallbackRepository` for endpoints that do not use one), the API URL (`GITHUB_API_URL`) and a token.
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
 * The ports of core's release use case for a workflow run: the GitHub release store, git in the
 * runner's environment, the workspace checkout, the runtime's log.
 *
 * @throws ConfigurationError when GITHUB_REPOSITORY is not set.
 */
export function createReleasePorts(runtime: Runtime, options: { token: string | undefined; userAgent: string }): ReleasePorts {
  const github = createForgeClient(runtime, { token: options.token ?? '', userAgent: options.userAgent, purpose: 'create the release' });
  return {
    store: githubReleaseStore(github, { serverUrl: runtime.context.serverUrl }),
    git: createGitRunner({ env: { ...runtime.env } }),
    ...(runtime.context.workspace !== undefined ? { workspace: runtime.context.workspace } : {}),
    onProgress: (message) => runtime.info(message),
    onWarning: (message) => runtime.warning(message),
  };
}
