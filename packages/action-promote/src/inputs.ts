import {
  getBooleanInput,
  getChoiceInput,
  getListInput,
  getOptionalInput,
  getRequiredInput,
  getSecretInput,
  readRegistryInputs,
} from '@tagwright/action-kit';
import type { RegistryInputs } from '@tagwright/action-kit';
import { ConfigurationError, parseReference, parseRepository, validateDigest, validateStampTemplate, validateTag } from '@tagwright/core';
import type { ImageReference, RepositoryReference } from '@tagwright/core';

/** Signature verification inputs, as given (validated further by the verifier before any write). */
export interface VerificationInputs {
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  key?: string;
  trustedRoot?: string;
  /** True when a valid signature is required to promote. */
  required: boolean;
  /** True when any verification input was given. */
  configured: boolean;
}

/** Release inputs. */
export interface ReleaseInputs {
  mode: 'none' | 'draft' | 'published';
  notes: { kind: 'commits' } | { kind: 'changelog-file'; template: string } | { kind: 'none' };
  publishDraft: boolean;
  version?: string;
  githubToken?: string;
}

/** The validated inputs of promote. */
export interface Inputs {
  source: ImageReference;
  destination: RepositoryReference;
  /** Target tags or stamp templates as given; rendered in run(). */
  targets: string[];
  sha: string;
  dryRun: boolean;
  verification: VerificationInputs;
  release: ReleaseInputs;
  registry: RegistryInputs;
}

/** Reads and validates every input; throws ConfigurationError naming the input before any request. */
export function readInputs(): Inputs {
  const image = parseRepository(getRequiredInput('image'));
  const sourceInput = getRequiredInput('source');
  const source: ImageReference = { ...image };
  if (sourceInput.includes(':')) source.digest = validateDigest(sourceInput);
  else source.tag = validateTag(sourceInput);
  const destinationInput = getOptionalInput('destination');
  const destination = destinationInput === undefined ? image : parseRepository(destinationInput);
  const targets = getListInput('targets');
  if (targets.length === 0) throw new ConfigurationError('MISSING_INPUT', 'read input targets: give at least one target tag');
  for (const target of targets) {
    if (target.includes('{')) validateStampTemplate(target);
    else validateTag(target);
  }
  const sha = getOptionalInput('sha') ?? '';
  if (targets.some((t) => t.includes('{sha}')) && !/^[0-9a-f]{7,64}$/i.test(sha)) {
    throw new ConfigurationError('INVALID_INPUT', `read input sha: ${JSON.stringify(sha)} is not a commit SHA, and a target uses {sha}`);
  }
  return {
    source,
    destination,
    targets,
    sha: sha.toLowerCase(),
    dryRun: getBooleanInput('dry-run', false),
    verification: readVerificationInputs(),
    release: readReleaseInputs(),
    registry: readRegistryInputs(),
  };
}

function readVerificationInputs(): VerificationInputs {
  const given = {
    certificateIdentity: getOptionalInput('certificate-identity'),
    certificateIdentityRegexp: getOptionalInput('certificate-identity-regexp'),
    certificateOidcIssuer: getOptionalInput('certificate-oidc-issuer'),
    certificateOidcIssuerRegexp: getOptionalInput('certificate-oidc-issuer-regexp'),
    key: getOptionalInput('key'),
    trustedRoot: getOptionalInput('trusted-root'),
  };
  const configured = Object.values(given).some((value) => value !== undefined);
  const result: VerificationInputs = { required: getBooleanInput('require-signature', configured), configured };
  for (const [name, value] of Object.entries(given)) if (value !== undefined) (result as unknown as Record<string, string>)[name] = value;
  if (result.required && !configured) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      'read input require-signature: true, but no certificate-identity(-regexp), certificate-oidc-issuer(-regexp) or key is given to verify with',
    );
  }
  return result;
}

function readReleaseInputs(): ReleaseInputs {
  const mode = getChoiceInput('release', ['none', 'draft', 'published'] as const, 'none');
  const notesInput = getOptionalInput('release-notes') ?? 'commits';
  let notes: ReleaseInputs['notes'];
  if (notesInput === 'commits' || notesInput === 'none') notes = { kind: notesInput };
  else if (notesInput.startsWith('changelog-file:') && notesInput.length > 'changelog-file:'.length) {
    notes = { kind: 'changelog-file', template: notesInput.slice('changelog-file:'.length) };
  } else {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read input release-notes: ${JSON.stringify(notesInput)} is not commits, none or changelog-file:<path template>`,
    );
  }
  const release: ReleaseInputs = { mode, notes, publishDraft: getBooleanInput('publish-draft', false) };
  const version = getOptionalInput('version');
  if (version !== undefined) release.version = version;
  const token = getSecretInput('github-token');
  if (token !== undefined) release.githubToken = token;
  if ((mode !== 'none' || release.publishDraft) && token === undefined) {
    throw new ConfigurationError('MISSING_INPUT', `read input github-token: required when release is ${mode} or publish-draft is true`);
  }
  return release;
}
