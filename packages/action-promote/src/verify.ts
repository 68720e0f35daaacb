import { ConfigurationError } from '@tagwright/core';
import type { RawManifest, RegistryClient } from '@tagwright/core';
import type { Inputs } from './inputs.js';
import type { VerificationOutcome } from './run.js';

/** Verifies the source digest's signatures against the policy from the inputs (sigstore-js, lazily loaded). */
export async function verifySource(
  _client: RegistryClient,
  _inputs: Inputs,
  _digest: string,
  _manifest: RawManifest,
): Promise<VerificationOutcome> {
  throw new ConfigurationError('INVALID_INPUT', 'verify signatures: not available in this build yet');
}
