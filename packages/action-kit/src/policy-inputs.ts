import { ConfigurationError } from '@tagwright/core/errors';
import { getBooleanInput, getChoiceInput, getOptionalInput, getSecretInput } from './inputs.js';
import { readForgeInput, type ForgeChoice } from './forge.js';

/** Signature verification inputs, as given (validated further by the verifier before any write). */
export interface VerificationInputs {
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  key?: string;
  /** `key-location`: where users fetch the public key from, for the release notes' `cosign verify --key`. */
  keyLocation?: string;
  trustedRoot?: string;
  /** GitHub Actions claims the signing certificate must carry (Fulcio extensions). */
  github?: {
    sourceRepository?: string;
    sourceRef?: string;
    workflowTrigger?: string;
    buildSignerDigest?: string;
  };
  /** An SLSA provenance v1 attestation for the digest is required, matching these. */
  provenance?: { builderId?: string; sourceRepository?: string };
  /** `insecure-ignore-tlog`: with `key`, accept a signature without a transparency-log entry. */
  insecureIgnoreTlog?: boolean;
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
  /** `forge`: which forge's API gets the release (`auto` detects it from the workflow context). */
  forge: ForgeChoice;
}

/** Reads the verification inputs shared by promote and rollback. */
export function readVerificationInputs(): VerificationInputs {
  const given = {
    certificateIdentity: getOptionalInput('certificate-identity'),
    certificateIdentityRegexp: getOptionalInput('certificate-identity-regexp'),
    certificateOidcIssuer: getOptionalInput('certificate-oidc-issuer'),
    certificateOidcIssuerRegexp: getOptionalInput('certificate-oidc-issuer-regexp'),
    key: getOptionalInput('key'),
    trustedRoot: getOptionalInput('trusted-root'),
  };
  const github = definedOnly({
    sourceRepository: getOptionalInput('certificate-github-source-repository'),
    sourceRef: getOptionalInput('certificate-github-source-ref'),
    workflowTrigger: getOptionalInput('certificate-github-workflow-trigger'),
    buildSignerDigest: getOptionalInput('certificate-github-build-signer-digest'),
  });
  const provenanceGiven = definedOnly({
    builderId: getOptionalInput('provenance-builder-id'),
    sourceRepository: getOptionalInput('provenance-source-repository'),
  });
  const requireProvenance = getBooleanInput('require-provenance', Object.keys(provenanceGiven).length > 0);
  const configured =
    Object.values(given).some((value) => value !== undefined) || Object.keys(github).length > 0 || requireProvenance;
  const result: VerificationInputs = { required: getBooleanInput('require-signature', configured), configured };
  if (getBooleanInput('insecure-ignore-tlog', false)) result.insecureIgnoreTlog = true;
  const keyLocation = getOptionalInput('key-location');
  if (keyLocation !== undefined) {
    if (given.key === undefined) throw new ConfigurationError('INVALID_INPUT', `read input key-location: ${JSON.stringify(keyLocation)} says where the public key of key is published, but key is empty; give key too, e.g. key-location: https://acme.example/cosign.pub`);
    if (/\s/.test(keyLocation)) throw new ConfigurationError('INVALID_INPUT', `read input key-location: ${JSON.stringify(keyLocation)} is not a URL or path (it contains white space), e.g. https://acme.example/cosign.pub`);
    result.keyLocation = keyLocation;
  }
  for (const [name, value] of Object.entries(given)) if (value !== undefined) (result as unknown as Record<string, string>)[name] = value;
  if (Object.keys(github).length > 0) result.github = github;
  if (requireProvenance) result.provenance = provenanceGiven;
  if ((result.github || result.provenance) && given.certificateIdentity === undefined && given.certificateIdentityRegexp === undefined && given.key === undefined) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      'read input certificate-identity: GitHub claims and provenance requirements need a signer to trust: give certificate-identity(-regexp) and certificate-oidc-issuer, or key',
    );
  }
  if (result.insecureIgnoreTlog && given.key === undefined) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      'read input insecure-ignore-tlog: true accepts only key-based signatures without a transparency-log entry: give key too (keyless signatures always need a log entry)',
    );
  }
  if (result.required && !configured) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      'read input require-signature: true, but no certificate-identity(-regexp), certificate-oidc-issuer(-regexp) or key is given to verify with',
    );
  }
  return result;
}

function definedOnly<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: string };
}

/** Reads the release inputs shared by promote and rollback. */
export function readReleaseInputs(): ReleaseInputs {
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
  const release: ReleaseInputs = { mode, notes, publishDraft: getBooleanInput('publish-draft', false), forge: readForgeInput() };
  const version = getOptionalInput('version');
  if (version !== undefined) release.version = version;
  const token = getSecretInput('github-token');
  if (token !== undefined) release.githubToken = token;
  if ((mode !== 'none' || release.publishDraft) && token === undefined) {
    throw new ConfigurationError('MISSING_INPUT', `read input github-token: required when release is ${mode} or publish-draft is true`);
  }
  return release;
}
