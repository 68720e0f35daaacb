import type { ActionRuntime } from '@tagwright/action-kit';
import type { PromoteReport } from '@tagwright/core/promote';
import type { Inputs } from './inputs.js';
import type { VerificationOutcome } from '@tagwright/action-kit';

/** Creates or updates the GitHub release for the promoted version (octokit, lazily loaded). */
export async function publishRelease(
  inputs: Inputs,
  _report: PromoteReport,
  _verification: VerificationOutcome | null,
  _runtime: ActionRuntime,
): Promise<string | undefined> {
  if (inputs.release.mode === 'none' && !inputs.release.publishDraft) return undefined;
  throw new Error('release: not available in this build yet');
}
