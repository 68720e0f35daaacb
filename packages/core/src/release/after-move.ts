import type { VerifiedSigner } from '../changelog/verification.js';
import { PartialMutationError, errorMessage } from '../errors.js';

/** What a verification of the released image says, as far as the release cares. */
export interface VerificationSummary {
  /** False when verification failed and a signature was not required. */
  verified: boolean;
  /** The first accepted signature, when known. */
  signature?: VerifiedSigner;
}

/**
 * Runs a release step after the tags moved: when it fails, the tags have moved all the same, so the
 * failure becomes a {@link PartialMutationError} whose report says what was written (the move) and that
 * the release was not finished. The one place promote and rollback turn a release failure into a report.
 *
 * @param step - the release step (e.g. {@link PreparedRelease.publish}).
 * @param partial - the message prefix and the report of what was written before the step.
 * @returns what the step returned.
 * @throws {@link PartialMutationError} with `partial.report`, the cause being the step's error.
 */
export async function afterTagsMoved<T>(step: () => Promise<T>, partial: { message: (cause: string) => string; report: unknown }): Promise<T> {
  try {
    return await step();
  } catch (error: unknown) {
    throw new PartialMutationError(partial.message(errorMessage(error)), partial.report, { cause: error });
  }
}
