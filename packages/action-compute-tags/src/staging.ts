// Loaded lazily by run.ts (a dynamic import): octokit lives behind this file, off the main path.
import path from 'node:path';
import type { ActionRuntime } from '@tagwright/action-kit';
import { createReleaseStore } from '@tagwright/action-kit/github';
import { readBaseVersion, reserveStagingTag } from '@tagwright/core/release';
import type { StagingReservation } from '@tagwright/core/release';
import type { StagingInputs } from './inputs.js';

/** A staging tag reserved for this build. */
export interface ReservedStagingTag extends StagingReservation {
  /** The base version it was reserved for (`X.Y.Z`), from `staging-base` or package.json. */
  base: string;
  /** Where the base came from: `staging-base` or the package.json path. */
  baseFrom: string;
}

/**
 * Reserves `<base>-staging.N` for the build's commit through the forge's atomic tag creation (GitHub
 * `POST /repos/{owner}/{repo}/git/refs`, Forgejo `POST /repos/{owner}/{repo}/tags`; the forge is
 * chosen once by action-kit's `createReleaseStore`; see core's `reserveStagingTag`). `existingTags` are the image tags
 * the registry already holds, read as git tag names of the same base: the counter starts above them.
 */
export async function reserveStaging(
  staging: StagingInputs,
  sha: string,
  existingTags: readonly string[],
  tagPrefix: string,
  runtime: Pick<ActionRuntime, 'context' | 'warning' | 'info'>,
): Promise<ReservedStagingTag> {
  const { store } = await createReleaseStore(runtime, { token: staging.githubToken, userAgent: 'tagwright-compute-tags', purpose: 'reserve a staging tag', forge: staging.forge });
  const packageJsonPath = path.resolve(runtime.context.workspace ?? '.', staging.path, 'package.json');
  const base = await readBaseVersion({ ...(staging.base !== undefined ? { input: staging.base } : {}), packageJsonPath });
  const reservation = await reserveStagingTag({
    tags: store,
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
