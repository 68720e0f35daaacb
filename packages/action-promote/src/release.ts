// Loaded lazily by run.ts (a dynamic import): octokit and git live behind this file, off the main path.
// The release step itself is action-kit's, shared with rollback.
import type { ActionRuntime } from '@tagwright/action-kit';
import { ConfigurationError } from '@tagwright/core/errors';
import { prepareRelease as prepareSharedRelease } from '../../action-kit/src/release.js';
import type { PreparedRelease, ReleaseDeps } from '../../action-kit/src/release.js';
import type { Inputs } from './inputs.js';

export type { PreparedRelease, ReleaseDeps, ReleaseOutcome } from '../../action-kit/src/release.js';

/**
 * Prepares the GitHub release of the promoted version (see action-kit's `prepareRelease`): the
 * version is `inputs.releaseVersion`, a missing tag is created at `inputs.sha`.
 *
 * @returns undefined when no release is requested.
 * @throws ConfigurationError for a missing version or repository, a missing changelog section or file.
 * @throws PolicyError `NO_DRAFT_RELEASE` when publish-draft has no draft to publish.
 */
export async function prepareRelease(
  inputs: Inputs,
  runtime: Pick<ActionRuntime, 'env' | 'warning' | 'info'>,
  deps: ReleaseDeps = {},
): Promise<PreparedRelease | undefined> {
  const { release } = inputs;
  if (release.mode === 'none' && !release.publishDraft) return undefined;
  const version = inputs.releaseVersion;
  if (version === undefined) throw new ConfigurationError('MISSING_INPUT', 'read input version: required when a release is requested');
  return prepareSharedRelease(
    { release, version, sha: inputs.sha, verification: inputs.verification },
    runtime,
    deps,
    'tagwright-promote',
  );
}
