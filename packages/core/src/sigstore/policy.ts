/**
 * Turns a user's {@link SignaturePolicy} into a checked, compiled form, and matches a
 * verified signer against it. Pure: no I/O.
 *
 * sigstore-js treats a certificate identity as an unanchored regular expression
 * (`signerIdentity.match(policy)`), so a policy of `https://github.com/acme/app/…` would
 * accept `https://evil.example/?https://github.com/acme/app/…`. Identities here are always
 * anchored: literals are escaped and wrapped in `^…$`, user regexps in `^(?:…)$`.
 *
 * @packageDocumentation
 */
import escapeRegExp from 'escape-string-regexp';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ASN1Obj } from '@sigstore/core';
import { ConfigurationError } from '../errors.js';
import { INSECURE_IGNORE_TLOG_INPUT, type GitHubWorkflowPolicy, type ProvenancePolicy, type SignaturePolicy, type VerifierThresholds } from './types.js';

/** A {@link SignaturePolicy} after validation. */
export interface CompiledPolicy {
  kind: 'public-key' | 'keyless';
  publicKey?: KeyObject;
  /** Anchored SAN matcher, and its source for messages. */
  identity?: { pattern: RegExp; description: string; exact?: string };
  issuer?: { pattern: RegExp; description: string; exact?: string };
  github?: GitHubWorkflowPolicy;
  requireTlog?: boolean;
  /** Key-based only: a signature without a transparency-log entry (and without a timestamp) is accepted. */
  insecureIgnoreTlog?: boolean;
  provenance?: ProvenancePolicy;
  thresholds: VerifierThresholds;
}

const FULCIO_OID = '1.3.6.1.4.1.57264.1';

/** Fulcio extension OIDs used by {@link GitHubWorkflowPolicy}. */
export const FULCIO_OIDS = {
  issuerV1: `${FULCIO_OID}.1`,
  githubWorkflowTrigger: `${FULCIO_OID}.2`,
  githubWorkflowRepository: `${FULCIO_OID}.5`,
  githubWorkflowRef: `${FULCIO_OID}.6`,
  issuerV2: `${FULCIO_OID}.8`,
  buildSignerUri: `${FULCIO_OID}.9`,
  buildSignerDigest: `${FULCIO_OID}.10`,
  sourceRepositoryUri: `${FULCIO_OID}.12`,
  sourceRepositoryRef: `${FULCIO_OID}.14`,
  buildTrigger: `${FULCIO_OID}.20`,
} as const;

function compileMatcher(
  exact: string | undefined,
  regexp: string | undefined,
  exactName: string,
  regexpName: string,
): CompiledPolicy['identity'] {
  if (exact !== undefined && regexp !== undefined) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read verification policy: set either ${exactName} or ${regexpName}, not both`,
    );
  }
  if (exact !== undefined) {
    if (exact.trim() === '') {
      throw new ConfigurationError('INVALID_INPUT', `read verification policy: ${exactName} is empty`);
    }
    return { pattern: new RegExp(`^${escapeRegExp(exact)}$`), description: JSON.stringify(exact), exact };
  }
  if (regexp !== undefined) {
    if (regexp.trim() === '') {
      throw new ConfigurationError('INVALID_INPUT', `read verification policy: ${regexpName} is empty`);
    }
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${regexp})$`);
    } catch (error) {
      throw new ConfigurationError(
        'INVALID_INPUT',
        `read verification policy: ${regexpName} ${JSON.stringify(regexp)} is not a valid regular expression: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    }
    return { pattern, description: `/^(?:${regexp})$/` };
  }
  return undefined;
}

const SUPPORTED_KEY_TYPES = new Set(['ec', 'ed25519', 'rsa', 'rsa-pss']);

/**
 * Parses a PEM public key (`cosign.pub`).
 *
 * @param pem - PEM `PUBLIC KEY` (SPKI): ECDSA P-256/P-384, Ed25519 or RSA.
 * @param name - how the input is named in error messages.
 * @returns the Node.js `KeyObject`.
 * @throws ConfigurationError when the text is not a supported public key.
 */
export function parsePublicKey(pem: string, name = 'public key'): KeyObject {
  const fail = (problem: string, cause?: unknown): ConfigurationError =>
    new ConfigurationError(
      'INVALID_INPUT',
      `read ${name}: not a PEM public key: ${problem}; give the whole cosign.pub, from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----`,
      cause === undefined ? undefined : { cause },
    );
  if (!pem.includes('-----BEGIN')) throw fail('expected a PEM "PUBLIC KEY" block');
  // No raw OpenSSL code (e.g. error:1E08010C:DECODER routines::unsupported) reaches the user: say what is wrong.
  if (!/-----END [A-Z0-9 ]+-----/.test(pem)) throw fail('the PEM block is truncated (no -----END …----- line)');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw fail('the PEM block does not decode to a public key (truncated or corrupted base64, or not a PUBLIC KEY block)', error);
  }
  const type = key.asymmetricKeyType ?? 'unknown';
  if (!SUPPORTED_KEY_TYPES.has(type)) {
    throw new ConfigurationError('INVALID_INPUT', `read ${name}: unsupported key type ${type} (use ECDSA, Ed25519 or RSA)`);
  }
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1' && curve !== 'secp384r1' && curve !== 'secp521r1') {
      throw new ConfigurationError('INVALID_INPUT', `read ${name}: unsupported EC curve ${curve ?? 'unknown'}`);
    }
  }
  return key;
}

/**
 * Validates a {@link SignaturePolicy} before anything is fetched or changed.
 *
 * @param policy - the user's policy.
 * @returns the compiled policy used by {@link verifySignatures}.
 * @throws ConfigurationError naming the input when a regex or key is malformed, when neither a
 *   key nor an identity is given, when both are, when a keyless policy sets the timestamp
 *   threshold to 0, or when `insecureIgnoreTlog` is set without a key or with a required log entry.
 * @example
 * ```ts
 * compilePolicy({
 *   certificateIdentityRegexp: 'https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/tags/v.*',
 *   certificateOidcIssuer: 'https://token.actions.githubusercontent.com',
 * });
 * ```
 */
export function compilePolicy(policy: SignaturePolicy): CompiledPolicy {
  const identity = compileMatcher(
    policy.certificateIdentity,
    policy.certificateIdentityRegexp,
    'certificate-identity',
    'certificate-identity-regexp',
  );
  const issuer = compileMatcher(
    policy.certificateOidcIssuer,
    policy.certificateOidcIssuerRegexp,
    'certificate-oidc-issuer',
    'certificate-oidc-issuer-regexp',
  );
  const hasKey = policy.publicKey !== undefined && policy.publicKey.trim() !== '';
  if (hasKey && (identity || issuer || policy.github)) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      'read verification policy: a public key and a certificate identity/issuer are mutually exclusive',
    );
  }
  if (!hasKey && !identity) {
    throw new ConfigurationError(
      'MISSING_INPUT',
      'read verification policy: give a public key, or a certificate identity (exact or regexp)',
    );
  }
  for (const [name, value] of Object.entries(policy.thresholds ?? {})) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new ConfigurationError('INVALID_INPUT', `read verification policy: threshold ${name} must be a non-negative integer`);
    }
  }
  if (!hasKey && policy.thresholds?.timestamp === 0) {
    // sigstore-js checks a certificate chain only at verified times: with none it cannot check it
    // (3.1.1 then fails on an undefined certificate with an unhelpful TypeError).
    throw new ConfigurationError(
      'INVALID_INPUT',
      'read verification policy: threshold timestamp must be at least 1 for a certificate identity (the certificate is checked at the verified times)',
    );
  }
  if (policy.insecureIgnoreTlog === true) {
    if (!hasKey) {
      throw new ConfigurationError(
        'INVALID_INPUT',
        `read verification policy: ${INSECURE_IGNORE_TLOG_INPUT} accepts only key-based signatures; a keyless (certificate identity) signature always needs a transparency-log entry or timestamp`,
      );
    }
    if (policy.requireTlog === true || (policy.thresholds?.tlog ?? 0) > 0) {
      throw new ConfigurationError(
        'INVALID_INPUT',
        `read verification policy: ${INSECURE_IGNORE_TLOG_INPUT} contradicts a required transparency-log entry`,
      );
    }
  }
  const compiled: CompiledPolicy = {
    kind: hasKey ? 'public-key' : 'keyless',
    thresholds: { ...policy.thresholds },
  };
  if (hasKey) compiled.publicKey = parsePublicKey(policy.publicKey as string);
  if (identity) compiled.identity = identity;
  if (issuer) compiled.issuer = issuer;
  if (policy.github) compiled.github = { ...policy.github };
  if (policy.requireTlog !== undefined) compiled.requireTlog = policy.requireTlog;
  if (policy.insecureIgnoreTlog === true) {
    compiled.insecureIgnoreTlog = true;
    compiled.requireTlog = false;
  }
  if (policy.provenance) compiled.provenance = { ...policy.provenance };
  return compiled;
}

/** The identity part of sigstore-js's `Signer`. */
export interface SignerIdentity {
  subjectAlternativeName?: string;
  extensions?: { issuer?: string };
  oids?: { oid?: { id: number[] }; value: Uint8Array }[];
}

/** Reads a Fulcio extension value: raw string for `.1`–`.6`, DER UTF8String for `.8`+. */
export function fulcioExtension(identity: SignerIdentity, oid: string): string | undefined {
  const entry = identity.oids?.find((o) => o.oid?.id.join('.') === oid);
  if (!entry) return undefined;
  const value = Buffer.from(entry.value);
  const arc = Number(oid.split('.').pop());
  if (arc >= 8 && value[0] === 0x0c) {
    try {
      return ASN1Obj.parseBuffer(value).value.toString('utf8');
    } catch {
      return undefined;
    }
  }
  return value.toString('utf8');
}

/** A failed policy check, before it is attached to a signature. */
export interface PolicyMismatch {
  code: 'WRONG_IDENTITY' | 'WRONG_ISSUER' | 'POLICY_NOT_SATISFIED';
  message: string;
}

/**
 * Matches a verified signer's identity against the keyless parts of a policy.
 *
 * @returns the names of the checks that matched, or the first mismatch.
 */
export function matchIdentity(
  policy: CompiledPolicy,
  identity: SignerIdentity,
): { matched: string[] } | { mismatch: PolicyMismatch } {
  const matched: string[] = [];
  if (policy.identity) {
    const san = identity.subjectAlternativeName;
    if (san === undefined || !policy.identity.pattern.test(san)) {
      return {
        mismatch: {
          code: 'WRONG_IDENTITY',
          message: `certificate identity ${san === undefined ? '(none)' : JSON.stringify(san)} does not match ${policy.identity.description}`,
        },
      };
    }
    matched.push(policy.identity.exact !== undefined ? 'certificateIdentity' : 'certificateIdentityRegexp');
  }
  if (policy.issuer) {
    const issuer = identity.extensions?.issuer;
    if (issuer === undefined || !policy.issuer.pattern.test(issuer)) {
      return {
        mismatch: {
          code: 'WRONG_ISSUER',
          message: `OIDC issuer ${issuer === undefined ? '(none)' : JSON.stringify(issuer)} does not match ${policy.issuer.description}`,
        },
      };
    }
    matched.push(policy.issuer.exact !== undefined ? 'certificateOidcIssuer' : 'certificateOidcIssuerRegexp');
  }
  const gh = policy.github;
  if (gh) {
    const checks: [keyof GitHubWorkflowPolicy, string | undefined, (want: string, got: string) => boolean][] = [
      [
        'sourceRepository',
        fulcioExtension(identity, FULCIO_OIDS.sourceRepositoryUri) ??
          fulcioExtension(identity, FULCIO_OIDS.githubWorkflowRepository),
        repositoryMatches,
      ],
      [
        'sourceRef',
        fulcioExtension(identity, FULCIO_OIDS.sourceRepositoryRef) ?? fulcioExtension(identity, FULCIO_OIDS.githubWorkflowRef),
        (w, g) => w === g,
      ],
      [
        'workflowTrigger',
        fulcioExtension(identity, FULCIO_OIDS.buildTrigger) ?? fulcioExtension(identity, FULCIO_OIDS.githubWorkflowTrigger),
        (w, g) => w === g,
      ],
      ['buildSignerDigest', fulcioExtension(identity, FULCIO_OIDS.buildSignerDigest), (w, g) => w === g],
    ];
    for (const [name, got, equal] of checks) {
      const want = gh[name];
      if (want === undefined) continue;
      if (got === undefined || !equal(want, got)) {
        return {
          mismatch: {
            code: 'POLICY_NOT_SATISFIED',
            message: `certificate claim ${name} ${got === undefined ? '(absent)' : JSON.stringify(got)} does not equal ${JSON.stringify(want)}`,
          },
        };
      }
      matched.push(`github.${name}`);
    }
  }
  return { matched };
}

/** `owner/repo` matches `https://<host>/owner/repo` and `owner/repo`; a URI matches exactly. */
export function repositoryMatches(want: string, got: string): boolean {
  if (want.includes('://')) return want === got;
  if (got === want) return true;
  try {
    return new URL(got).pathname.replace(/^\/+|\/+$/g, '') === want.replace(/^\/+|\/+$/g, '');
  } catch {
    return false;
  }
}
