// Loaded lazily by run.ts: octokit lives behind this import.
import type { ActionRuntime } from '@tagwright/action-kit';
import { createForgeClient } from '@tagwright/action-kit/github';
import { ConfigurationError } from '@tagwright/core/errors';
import type { GitHubClient } from '@tagwright/core/github';
import type { Inputs } from './inputs.js';

/** The part of the GitHub adapter cleanup uses: GHCR package versions. */
export type GhcrApi = Pick<GitHubClient, 'listPackageVersions' | 'getPackageVersion' | 'deletePackageVersion'>;

/** The GitHub Packages API client for GHCR, on `GITHUB_API_URL` (GitHub Enterprise) or api.github.com. */
export function createGhcrApi(inputs: Inputs, runtime: Pick<ActionRuntime, 'context' | 'warning'>): GhcrApi {
  if (inputs.githubToken === undefined) {
    throw new ConfigurationError('MISSING_INPUT', 'read input github-token: required for ghcr.io');
  }
  const owner = inputs.image.repository.split('/')[0] ?? '';
  return createForgeClient(runtime, {
    token: inputs.githubToken,
    userAgent: 'tagwright-cleanup',
    purpose: 'clean the GHCR package',
    // The packages endpoints do not use the repository; the client is bound to one all the same.
    fallbackRepository: `${owner}/${owner}`,
  });
}
