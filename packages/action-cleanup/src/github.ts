// Loaded lazily by run.ts: octokit lives behind this import.
import type { ActionRuntime } from '@tagwright/action-kit';
import { ConfigurationError } from '@tagwright/core/errors';
import { createGitHubClient } from '@tagwright/core/github';
import type { GitHubClient } from '@tagwright/core/github';
import type { Inputs } from './inputs.js';

/** The part of the GitHub adapter cleanup uses: GHCR package versions. */
export type GhcrApi = Pick<GitHubClient, 'listPackageVersions' | 'deletePackageVersion'>;

/** The GitHub Packages API client for GHCR, on `GITHUB_API_URL` (GitHub Enterprise) or api.github.com. */
export function createGhcrApi(inputs: Inputs, runtime: Pick<ActionRuntime, 'env' | 'warning'>): GhcrApi {
  if (inputs.githubToken === undefined) {
    throw new ConfigurationError('MISSING_INPUT', 'read input github-token: required for ghcr.io');
  }
  const owner = inputs.image.repository.split('/')[0] ?? '';
  return createGitHubClient({
    token: inputs.githubToken,
    // The packages endpoints do not use the repository; the client is bound to one all the same.
    repository: runtime.env.GITHUB_REPOSITORY ?? `${owner}/${owner}`,
    ...(runtime.env.GITHUB_API_URL ? { baseUrl: runtime.env.GITHUB_API_URL } : {}),
    userAgent: 'tagwright-cleanup',
    onWarning: (message) => runtime.warning(message),
  });
}
