import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError, errorMessage } from '@tagwright/core/errors';
import type { ImageReference, RegistryClient } from '@tagwright/core/registry';
import { compilePolicy, loadTrust, verifyImage } from '@tagwright/core/sigstore';
import type { SignaturePolicy, VerificationResult } from '@tagwright/core/sigstore';
import type { VerificationInputs } from './policy-inputs.js';
import type { ActionRuntime } from './run-action.js';

/** What the summary and the `verified` output show of a verification. */
export interface VerificationOutcome {
  /** False only when verification failed and a signature was not required. */
  verified: boolean;
  /** One line per verified signature: format, signer, issuer, log index. */
  signers: string[];
  /** The `verified` output: the core result, or the failure when not required. */
  detail: unknown;
  /** The first accepted signature's identity and issuer (the release footer names them); absent when not verified. */
  signature?: { signerIdentity?: string; issuer?: string };
}

/** Verifies one digest of a repository against the prepared policy and trust. */
export type DigestVerifier = (client: RegistryClient, image: ImageReference & { digest: string }) => Promise<VerificationOutcome>;

/**
 * Compiles the verification policy and loads the trust material before any registry request, so
 * a malformed key, regexp or trusted root fails first. Sigstore code is loaded only here.
 *
 * @throws ConfigurationError naming the input (key, regexp, trusted-root) that is wrong.
 */
export async function prepareVerifier(
  inputs: VerificationInputs,
  runtime: Pick<ActionRuntime, 'context' | 'warning' | 'info'>,
): Promise<DigestVerifier> {
  const workspace = runtime.context.workspace ?? process.cwd();
  const policy: SignaturePolicy = {};
  if (inputs.key !== undefined) policy.publicKey = await readKey(inputs.key, workspace);
  if (inputs.certificateIdentity !== undefined) policy.certificateIdentity = inputs.certificateIdentity;
  if (inputs.certificateIdentityRegexp !== undefined) policy.certificateIdentityRegexp = inputs.certificateIdentityRegexp;
  if (inputs.certificateOidcIssuer !== undefined) policy.certificateOidcIssuer = inputs.certificateOidcIssuer;
  if (inputs.certificateOidcIssuerRegexp !== undefined) policy.certificateOidcIssuerRegexp = inputs.certificateOidcIssuerRegexp;
  if (inputs.github) policy.github = { ...inputs.github };
  if (inputs.provenance) policy.provenance = { ...inputs.provenance };
  if (inputs.insecureIgnoreTlog) policy.insecureIgnoreTlog = true;
  const compiled = compilePolicy(policy);
  const trust = await loadTrust(
    inputs.trustedRoot !== undefined
      ? { trustedRootPath: path.resolve(workspace, inputs.trustedRoot) }
      : { instance: 'public-good', timeoutMs: 15_000 },
    { policy: compiled },
  );
  for (const warning of trust.warnings) runtime.warning(warning);

  return async (client, image) => {
    let result: VerificationResult;
    try {
      result = await verifyImage(client, image, compiled, trust);
    } catch (error: unknown) {
      if (inputs.required) throw error;
      runtime.warning(`signature verification failed, continuing because require-signature is false: ${errorMessage(error)}`);
      return { verified: false, signers: [], detail: { verified: false, error: errorMessage(error) } };
    }
    for (const warning of result.warnings) runtime.warning(warning);
    const first = result.signatures[0];
    return {
      verified: true,
      ...(first
        ? {
            signature: {
              ...(first.signerIdentity !== undefined ? { signerIdentity: first.signerIdentity } : {}),
              ...(first.issuer !== undefined ? { issuer: first.issuer } : {}),
            },
          }
        : {}),
      signers: result.signatures.map((signature) =>
        [
          signature.format,
          signature.signerIdentity ? `identity ${signature.signerIdentity}` : 'public key',
          signature.issuer ? `issuer ${signature.issuer}` : undefined,
          signature.logIndex !== undefined ? `log index ${signature.logIndex}` : 'no log entry',
          `checks: ${signature.policyMatched.join(', ')}`,
        ]
          .filter(Boolean)
          .join('; '),
      ),
      detail: result,
    };
  };
}

async function readKey(key: string, workspace: string): Promise<string> {
  if (key.includes('-----BEGIN')) return key;
  try {
    return await readFile(path.resolve(workspace, key), 'utf8');
  } catch (error: unknown) {
    throw new ConfigurationError('INVALID_INPUT', `read input key: ${JSON.stringify(key)} is neither a PEM public key nor a readable file: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}
