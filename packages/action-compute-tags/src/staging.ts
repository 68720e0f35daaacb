// Loaded lazily by run.ts (a dynamic import): octokit lives behind this file, off the main path.
import path from 'node:path';
import type { ActionRuntime } from '@tagwright/action-kit';
import { ConfigurationError } from '@tagwright/core/errors';
import { createGitHubClient, readBaseVersion, reserveStagingTag } from '@tagwright/core/github';
import type { StagingReservation } from '@tagwright/core/github';
import type { StagingInputs } from './inputs.js';

/** A staging tag reserved for this build. */
export interface ReservedStagingTag extends StagingReservation {
  /** The base version it was reserved for (`X.Y.Z`), from `staging-base` or package.json. */
  base: string;
  /** Where the base came from: `staging-base` or the package.json path. */
  baseFrom: string;
}

/**
 * Reserves `<base>-staging.N` for the build's commit through `POST /repos/{owner}/{repo}/git/refs`
 * (the ref creation is the lock; see core's `reserveStagingTag`). `existingTags` are the image tags
 * the registry already holds, read as git tag names of the same base: the counter starts above them.
 */
export async function reserveStaging(
  staging: StagingInputs,
  sha: string,
  existingTags: readonly string[],
  tagPrefix: string,
  runtime: Pick<ActionRuntime, 'env' | 'warning'>,
): Promise<ReservedStagingTag> {
  const repository = runtime.env.GITHUB_REPOSITORY;
  if (!repository) throw new ConfigurationError('MISSING_INPUT', 'reserve a staging tag: GITHUB_REPOSITORY is not set (owner/repo)');
  const packageJsonPath = path.resolve(runtime.env.GITHUB_WORKSPACE ?? '.', staging.path, 'package.json');
  const base = await readBaseVersion({ ...(staging.base !== undefined ? { input: staging.base } : {}), packageJsonPath });
  const github = createGitHubClient({
    token: staging.githubToken,
    repository,
    ...(runtime.env.GITHUB_API_URL ? { baseUrl: runtime.env.GITHUB_API_URL } : {}),
    userAgent: 'tagwright-compute-tags',
    onWarning: (message) => runtime.warning(message),
  });
  const reservation = await reserveStagingTag({
    github,
    base,
    sha,
    existingTags: existingTags.map((tag) => asGitTag(tag, tagPrefix, base)),
  });
  return { ...reservation, base, baseFrom: staging.base !== undefined ? 'staging-base' : path.join(staging.path, 'package.json') };
}

/** An image tag (`v1.2.3-staging.4` with prefix `v`) spelled as the git tag of `base` would be. */
function asGitTag(imageTag: string, tagPrefix: string, base: string): string {
  const unprefixed = tagPrefix !== '' && imageTag.startsWith(tagPrefix) ? imageTag.slice(tagPrefix.length) : imageTag;
  const bare = unprefixed.replace(/^v(?=\d)/, '');
  return base.startsWith('v') ? `v${bare}` : bare;
}
