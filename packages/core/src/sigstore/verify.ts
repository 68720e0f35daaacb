/**
 * Pure signature verification: sigstore-js's `Verifier.verify(entity)` over data already
 * fetched, then the checks sigstore-js does not make (anchored identity, issuer, GitHub
 * claims, the image digest binding of simple-signing payloads and in-toto subjects, SLSA
 * provenance). No I/O, no clock: sigstore-js verifies certificates at the times the
 * transparency log or timestamp authority attest.
 *
 * Follows {@link https://docs.sigstore.dev/about/bundle/ | the Sigstore bundle format} and
 * {@link https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md | cosign's signature spec}.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { ConfigurationError, type VerificationError } from '../errors.js';
import {
  isCosignSignatureType,
  legacyAttestationToBundle,
  legacyToBundle,
  MalformedSignatureError,
  parseSimpleSigningPayload,
  rekorPublicKeyPem,
} from './legacy.js';
import { compilePolicy, matchIdentity, parsePublicKey, repositoryMatches, type CompiledPolicy } from './policy.js';
import type { SigstoreTrust } from './trust.js';
import {
  COSIGN_DSSE_MEDIA_TYPE,
  COSIGN_SIMPLESIGNING_MEDIA_TYPE,
  INSECURE_IGNORE_TLOG_INPUT,
  SLSA_PROVENANCE_V1,
  SignatureVerificationError,
  type SignatureCandidate,
  type SignatureFailure,
  type SignaturePolicy,
  type VerificationResult,
  type VerificationSubject,
  type VerifiedSignature,
} from './types.js';

type FailureCode = VerificationError['code'];

class CheckFailed extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
  }
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** In-toto statement fields we read ({@link https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md}). */
interface InTotoStatement {
  subject?: { name?: string; digest?: Record<string, string> }[];
  predicateType?: string;
  predicate?: unknown;
}

/** Maps a sigstore-js error to our code and a message that says which check failed. */
function fromSigstoreError(error: unknown): CheckFailed {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'SIGNATURE_ERROR':
      return new CheckFailed('BAD_SIGNATURE', `bad signature: ${message}`);
    case 'TLOG_BODY_ERROR':
      return new CheckFailed('BAD_SIGNATURE', `signed content does not match its transparency-log entry: ${message}`);
    case 'CERTIFICATE_ERROR':
      return new CheckFailed('UNTRUSTED_CHAIN', `certificate not trusted: ${message}`);
    case 'PUBLIC_KEY_ERROR':
      return new CheckFailed('UNTRUSTED_CHAIN', `public key not trusted: ${message}`);
    case 'TLOG_ERROR':
    case 'TLOG_MISSING_INCLUSION_ERROR':
      return new CheckFailed('NO_LOG_ENTRY', `no transparency-log entry: ${message}`);
    case 'TLOG_INCLUSION_PROOF_ERROR':
    case 'TLOG_INCLUSION_PROMISE_ERROR':
      return new CheckFailed('NO_LOG_ENTRY', `transparency-log entry does not verify: ${message}`);
    case 'TIMESTAMP_ERROR':
      return /expected \d+ timestamps, got/.test(message)
        ? new CheckFailed('NO_LOG_ENTRY', `no transparency-log entry or timestamp: ${message}`)
        : new CheckFailed('UNTRUSTED_CHAIN', `timestamp not trusted: ${message}`);
    case 'UNTRUSTED_SIGNER_ERROR':
      return new CheckFailed('WRONG_IDENTITY', message);
    default:
      return new CheckFailed('BAD_SIGNATURE', `signature does not verify: ${message}`);
  }
}

function thresholdsFor(policy: CompiledPolicy, trust: SigstoreTrust) {
  const root = trust.trustedRoot;
  const requireTlog = policy.requireTlog ?? root.tlogs.length > 0;
  const keyless = policy.kind === 'keyless';
  return {
    tlogThreshold: policy.thresholds.tlog ?? (requireTlog ? 1 : 0),
    ctlogThreshold: policy.thresholds.ctlog ?? (keyless && root.ctlogs.length > 0 ? 1 : 0),
    timestampThreshold: policy.thresholds.timestamp ?? (keyless || requireTlog ? 1 : 0),
  };
}

/** The thresholds of a key-based check that asks for no log entry and no timestamp: to find a more specific refusal. */
const NO_EVIDENCE_REQUIRED = { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 };

/** The refusal of a key-based signature that verifies but has no log entry: names the input that accepts it. */
function noLogEntry(): CheckFailed {
  return new CheckFailed(
    'NO_LOG_ENTRY',
    `the signature has no transparency-log entry (signed with cosign --tlog-upload=false?); set ${INSECURE_IGNORE_TLOG_INPUT}: true to accept key-based signatures without one, as cosign --insecure-ignore-tlog does`,
  );
}

/** Verifiers of one verification: the policy's, and (key-based) one that requires no log entry. */
interface Verifiers {
  strict: Verifier;
  lenient: Verifier;
}

function trustMaterialFor(policy: CompiledPolicy, trust: SigstoreTrust): TrustMaterial {
  const key = policy.publicKey;
  if (key) {
    return toTrustMaterial(trust.trustedRoot, () => ({ publicKey: key, validFor: () => true }));
  }
  return toTrustMaterial(trust.trustedRoot);
}

function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}

function firstLogEntry(bundle: Bundle): { logIndex?: number; integratedTime?: Date } {
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (!entry) return {};
  const out: { logIndex?: number; integratedTime?: Date } = { logIndex: Number(entry.logIndex) };
  if (entry.integratedTime && entry.integratedTime !== '0') out.integratedTime = new Date(Number(entry.integratedTime) * 1000);
  return out;
}

interface Verified {
  signature: VerifiedSignature;
  statement?: InTotoStatement;
}

/** True when two PEM public keys are the same key (SPKI DER compared). */
function sameKey(a: ReturnType<typeof parsePublicKey>, pemText: string): boolean {
  try {
    const b = parsePublicKey(pemText);
    return a.export({ format: 'der', type: 'spki' }).equals(b.export({ format: 'der', type: 'spki' }));
  } catch {
    return false;
  }
}

/**
 * Runs sigstore-js over one entity. With a key, a refusal for want of a log entry is re-checked
 * without that requirement, so that the most specific reason is reported: a signature that does not
 * verify says so; one that verifies comes back with `missingLog` (the caller checks the digest
 * first, then refuses with {@link noLogEntry}).
 */
function verifyEntity(
  entity: SignedEntity,
  keyMode: boolean,
  verifiers: Verifiers,
  policy: CompiledPolicy,
  logKeyPem?: string,
): { identity: ReturnType<Verifier['verify']>['identity']; matched: string[]; missingLog: boolean } {
  if (keyMode) {
    entity = { ...entity, key: { $case: 'public-key', hint: '' } };
  } else if (entity.key.$case !== 'certificate') {
    throw new CheckFailed(
      'UNTRUSTED_CHAIN',
      'signed with a public key, not a certificate; the policy requires a certificate identity',
    );
  }
  const keyRefusal = (failed: CheckFailed): CheckFailed => {
    if (!keyMode || failed.code !== 'BAD_SIGNATURE' || !policy.publicKey) return failed;
    if (logKeyPem !== undefined && !sameKey(policy.publicKey, logKeyPem)) {
      return new CheckFailed('BAD_SIGNATURE', 'signed with a different key: the transparency-log entry names another public key than the one given');
    }
    return new CheckFailed(
      'BAD_SIGNATURE',
      `the signature does not verify with the given public key (it was made with a different key, or the signature or its payload was altered): ${failed.message}`,
    );
  };
  let signer;
  let missingLog = false;
  try {
    signer = verifiers.strict.verify(entity);
  } catch (error) {
    const failed = fromSigstoreError(error);
    if (!(keyMode && failed.code === 'NO_LOG_ENTRY' && entity.tlogEntries.length === 0)) throw keyRefusal(failed);
    try {
      signer = verifiers.lenient.verify(entity);
    } catch (lenientError) {
      throw keyRefusal(fromSigstoreError(lenientError));
    }
    missingLog = true;
  }
  const matched = ['signature'];
  if (entity.tlogEntries.length > 0) matched.push('transparencyLog');
  if (entity.timestamps.some((t) => t.$case === 'timestamp-authority')) matched.push('timestamp');
  if (!keyMode) {
    const result = matchIdentity(policy, signer.identity ?? {});
    if ('mismatch' in result) throw new CheckFailed(result.mismatch.code, result.mismatch.message);
    matched.push(...result.matched);
  } else {
    matched.push('publicKey');
  }
  return { identity: signer.identity, matched, missingLog };
}

function verifyLegacy(
  candidate: Extract<SignatureCandidate, { format: 'cosign-legacy' }>,
  subject: VerificationSubject,
  verifiers: Verifiers,
  policy: CompiledPolicy,
): Verified {
  if (candidate.mediaType !== COSIGN_SIMPLESIGNING_MEDIA_TYPE) {
    throw new CheckFailed(
      'VERIFICATION_FAILED',
      `not a cosign signature: layer media type ${JSON.stringify(candidate.mediaType)} is not ${COSIGN_SIMPLESIGNING_MEDIA_TYPE}`,
    );
  }
  const keyMode = policy.kind === 'public-key';
  let converted;
  try {
    converted = legacyToBundle(candidate.payload, candidate.annotations, keyMode);
  } catch (error) {
    if (error instanceof MalformedSignatureError) throw new CheckFailed('BAD_SIGNATURE', `malformed signature: ${error.message}`);
    throw error;
  }
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(converted.bundle, Buffer.from(candidate.payload));
  } catch (error) {
    throw new CheckFailed('BAD_SIGNATURE', `malformed signature: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { identity, matched, missingLog } = verifyEntity(entity, keyMode, verifiers, policy, rekorPublicKeyPem(candidate.annotations));
  let payload;
  try {
    payload = parseSimpleSigningPayload(candidate.payload);
  } catch (error) {
    throw new CheckFailed('VERIFICATION_FAILED', error instanceof Error ? error.message : String(error));
  }
  if (!isCosignSignatureType(payload.type)) {
    throw new CheckFailed('VERIFICATION_FAILED', `payload critical.type ${JSON.stringify(payload.type)} is not a cosign container image signature`);
  }
  if (payload.dockerManifestDigest !== subject.digest) {
    throw new CheckFailed(
      'DIGEST_MISMATCH',
      `payload is for ${payload.dockerManifestDigest}, not ${subject.digest}`,
    );
  }
  matched.push('digest');
  if (missingLog) throw noLogEntry();
  const signature: VerifiedSignature = {
    format: 'cosign-legacy',
    source: candidate.source,
    policyMatched: matched,
  };
  if (!keyMode && identity?.subjectAlternativeName !== undefined) signature.signerIdentity = identity.subjectAlternativeName;
  if (!keyMode && identity?.extensions?.issuer !== undefined) signature.issuer = identity.extensions.issuer;
  if (converted.logIndex !== undefined) signature.logIndex = converted.logIndex;
  if (converted.integratedTime !== undefined) signature.integratedTime = converted.integratedTime;
  return { signature };
}

function verifyBundle(
  candidate: Extract<SignatureCandidate, { format: 'bundle-v0.3' }>,
  subject: VerificationSubject,
  verifiers: Verifiers,
  policy: CompiledPolicy,
): Verified {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(candidate.bundle);
  } catch (error) {
    throw new CheckFailed('BAD_SIGNATURE', `malformed bundle: ${error instanceof Error ? error.message : String(error)}`);
  }
  const keyMode = policy.kind === 'public-key';
  let statement: InTotoStatement | undefined;
  let artifact: Buffer | undefined;
  if (bundle.content.$case === 'dsseEnvelope') {
    const envelope = bundle.content.dsseEnvelope;
    if (envelope.payloadType !== 'application/vnd.in-toto+json') {
      throw new CheckFailed('VERIFICATION_FAILED', `DSSE payload type ${JSON.stringify(envelope.payloadType)} is not an in-toto statement`);
    }
    try {
      statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8')) as InTotoStatement;
    } catch {
      throw new CheckFailed('BAD_SIGNATURE', 'DSSE payload is not JSON');
    }
  } else {
    const digest = bundle.content.messageSignature.messageDigest?.digest;
    if (!subject.bytes) {
      throw new CheckFailed('VERIFICATION_FAILED', 'message-signature bundle: the signed bytes are not available');
    }
    artifact = Buffer.from(subject.bytes);
    const actual = createHash('sha256').update(artifact).digest();
    if (digest && !actual.equals(Buffer.from(digest))) {
      throw new CheckFailed('DIGEST_MISMATCH', 'message-signature bundle: message digest does not match the signed bytes');
    }
    if (`sha256:${actual.toString('hex')}` !== subject.digest) {
      throw new CheckFailed('DIGEST_MISMATCH', `message-signature bundle: signed bytes are not ${subject.digest}`);
    }
  }
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, artifact);
  } catch (error) {
    throw new CheckFailed('BAD_SIGNATURE', `malformed bundle: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { identity, matched, missingLog } = verifyEntity(entity, keyMode, verifiers, policy);
  if (statement) checkSubjects(statement, subject);
  matched.push('digest');
  if (missingLog) throw noLogEntry();
  const signature: VerifiedSignature = {
    format: 'bundle-v0.3',
    source: candidate.source,
    policyMatched: matched,
    ...firstLogEntry(bundle),
  };
  if (!keyMode && identity?.subjectAlternativeName !== undefined) signature.signerIdentity = identity.subjectAlternativeName;
  if (!keyMode && identity?.extensions?.issuer !== undefined) signature.issuer = identity.extensions.issuer;
  if (typeof statement?.predicateType === 'string') signature.predicateType = statement.predicateType;
  return statement ? { signature, statement } : { signature };
}

/** An in-toto statement must name the image digest among its subjects (sigstore-js does not check it). */
function checkSubjects(statement: InTotoStatement, subject: VerificationSubject): void {
  const hex = hexOf(subject.digest);
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  if (!subjects.some((s) => s?.digest?.sha256?.toLowerCase() === hex)) {
    const found = subjects.map((s) => (s?.digest?.sha256 ? `sha256:${s.digest.sha256}` : '(no sha256)')).join(', ');
    throw new CheckFailed('DIGEST_MISMATCH', `in-toto subjects [${found}] do not include ${subject.digest}`);
  }
}

/** A legacy cosign attestation (`.att` layer, DSSE envelope): verified like a DSSE bundle. */
function verifyAttestation(
  candidate: Extract<SignatureCandidate, { format: 'cosign-attestation' }>,
  subject: VerificationSubject,
  verifiers: Verifiers,
  policy: CompiledPolicy,
): Verified {
  if (candidate.mediaType !== COSIGN_DSSE_MEDIA_TYPE) {
    throw new CheckFailed(
      'VERIFICATION_FAILED',
      `not a cosign attestation: layer media type ${JSON.stringify(candidate.mediaType)} is not ${COSIGN_DSSE_MEDIA_TYPE}`,
    );
  }
  const keyMode = policy.kind === 'public-key';
  let converted;
  try {
    converted = legacyAttestationToBundle(candidate.envelope, candidate.annotations, keyMode);
  } catch (error) {
    if (error instanceof MalformedSignatureError) throw new CheckFailed('BAD_SIGNATURE', `malformed attestation: ${error.message}`);
    throw error;
  }
  if (converted.payloadType !== 'application/vnd.in-toto+json') {
    throw new CheckFailed('VERIFICATION_FAILED', `DSSE payload type ${JSON.stringify(converted.payloadType)} is not an in-toto statement`);
  }
  let statement: InTotoStatement;
  try {
    statement = JSON.parse(converted.payload.toString('utf8')) as InTotoStatement;
  } catch {
    throw new CheckFailed('BAD_SIGNATURE', 'DSSE payload is not JSON');
  }
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(converted.bundle);
  } catch (error) {
    throw new CheckFailed('BAD_SIGNATURE', `malformed attestation: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { identity, matched, missingLog } = verifyEntity(entity, keyMode, verifiers, policy);
  checkSubjects(statement, subject);
  matched.push('digest');
  if (missingLog) throw noLogEntry();
  const signature: VerifiedSignature = { format: 'cosign-attestation', source: candidate.source, policyMatched: matched };
  if (!keyMode && identity?.subjectAlternativeName !== undefined) signature.signerIdentity = identity.subjectAlternativeName;
  if (!keyMode && identity?.extensions?.issuer !== undefined) signature.issuer = identity.extensions.issuer;
  if (converted.logIndex !== undefined) signature.logIndex = converted.logIndex;
  if (converted.integratedTime !== undefined) signature.integratedTime = converted.integratedTime;
  if (typeof statement.predicateType === 'string') signature.predicateType = statement.predicateType;
  return { signature, statement };
}

/** Checks an SLSA provenance v1 predicate against the policy; returns the mismatch or undefined. */
function provenanceMismatch(policy: NonNullable<CompiledPolicy['provenance']>, predicate: unknown): string | undefined {
  const p = predicate as {
    runDetails?: { builder?: { id?: unknown } };
    buildDefinition?: {
      externalParameters?: { workflow?: { repository?: unknown } };
      resolvedDependencies?: { uri?: unknown }[];
    };
  } | null;
  if (policy.builderId !== undefined) {
    const id = p?.runDetails?.builder?.id;
    if (id !== policy.builderId) return `builder id ${JSON.stringify(id ?? null)} does not equal ${JSON.stringify(policy.builderId)}`;
  }
  const want = policy.sourceRepository;
  if (want !== undefined) {
    const candidates: string[] = [];
    const repo = p?.buildDefinition?.externalParameters?.workflow?.repository;
    if (typeof repo === 'string') candidates.push(repo);
    for (const dep of p?.buildDefinition?.resolvedDependencies ?? []) {
      if (typeof dep?.uri === 'string') candidates.push(dep.uri.replace(/^git\+/, '').replace(/@.*$/, ''));
    }
    if (!candidates.some((c) => repositoryMatches(want, c))) {
      return `source repository [${candidates.join(', ')}] does not match ${JSON.stringify(want)}`;
    }
  }
  return undefined;
}

/**
 * Verifies the signatures found for one image digest against a policy and trust material.
 * Pure: everything it needs is passed in.
 *
 * A signature passes when sigstore-js verifies it (signature, certificate chain, SCTs,
 * transparency-log SET/inclusion proof, timestamps) AND its identity matches the policy
 * AND it is bound to `subject.digest` (the simple-signing `docker-manifest-digest`, or an
 * in-toto subject). A DSSE bundle counts whatever its predicate type (a cosign v3 signature,
 * an SLSA provenance, …) as long as an in-toto subject is the digest. At least one signature
 * must pass; with `policy.provenance`, an SLSA provenance v1 attestation must pass too.
 * `policyMatched` lists the checks each signature passed (`signature`, `transparencyLog`,
 * `timestamp`, `certificateIdentity[Regexp]`, `certificateOidcIssuer[Regexp]`, `github.*`,
 * `publicKey`, `digest`, `provenance`).
 *
 * @param candidates - signatures found for the image (see {@link discoverSignatures}).
 * @param subject - the image digest (`sha256:<hex>`) and optionally its manifest bytes.
 * @param policy - a {@link SignaturePolicy} (compiled here) or the result of {@link compilePolicy}.
 * @param trust - from {@link loadTrust} or {@link parseTrustedRoot}.
 * @returns the verified signatures, and the rejected ones for the log.
 * @throws SignatureVerificationError (a VerificationError) whose `failures` name the failed
 *   check of each signature: NO_SIGNATURE, WRONG_IDENTITY, WRONG_ISSUER, DIGEST_MISMATCH,
 *   BAD_SIGNATURE, UNTRUSTED_CHAIN, NO_LOG_ENTRY, POLICY_NOT_SATISFIED.
 * @throws ConfigurationError when the policy or digest is malformed.
 * @example
 * ```ts
 * const trust = await loadTrust({ instance: 'public-good' });
 * const result = verifySignatures(candidates, { digest: 'sha256:…' }, {
 *   certificateIdentity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3',
 *   certificateOidcIssuer: 'https://token.actions.githubusercontent.com',
 * }, trust);
 * result.signatures[0]?.signerIdentity;
 * ```
 */
export function verifySignatures(
  candidates: readonly SignatureCandidate[],
  subject: VerificationSubject,
  policy: SignaturePolicy | CompiledPolicy,
  trust: SigstoreTrust,
): VerificationResult {
  if (!DIGEST.test(subject.digest)) {
    throw new ConfigurationError('INVALID_INPUT', `verify signatures: digest ${JSON.stringify(subject.digest)} is not sha256:<64 lowercase hex>`);
  }
  const compiled = 'kind' in policy ? policy : compilePolicy(policy);
  if (candidates.length === 0) {
    throw new SignatureVerificationError('NO_SIGNATURE', `verify signatures of ${subject.digest}: no signature found`, []);
  }
  const material = trustMaterialFor(compiled, trust);
  const verifiers: Verifiers = { strict: new Verifier(material, thresholdsFor(compiled, trust)), lenient: new Verifier(material, NO_EVIDENCE_REQUIRED) };
  const verified: Verified[] = [];
  const failures: SignatureFailure[] = [];
  for (const candidate of candidates) {
    try {
      verified.push(
        candidate.format === 'cosign-legacy'
          ? verifyLegacy(candidate, subject, verifiers, compiled)
          : candidate.format === 'cosign-attestation'
            ? verifyAttestation(candidate, subject, verifiers, compiled)
            : verifyBundle(candidate, subject, verifiers, compiled),
      );
    } catch (error) {
      const failed = error instanceof CheckFailed ? error : fromSigstoreError(error);
      failures.push({ format: candidate.format, source: candidate.source, code: failed.code, message: failed.message });
    }
  }
  if (verified.length === 0) {
    const codes = new Set(failures.map((f) => f.code));
    const code: FailureCode = codes.size === 1 ? [...codes][0]! : 'VERIFICATION_FAILED';
    const details = failures.map((f) => `[${f.source}] ${f.code}: ${f.message}`).join('; ');
    throw new SignatureVerificationError(
      code,
      `verify signatures of ${subject.digest}: none of ${failures.length} signature(s) satisfied the policy: ${details}`,
      failures,
    );
  }
  if (compiled.provenance) {
    const required = compiled.provenance;
    const attestations = verified.filter((v) => v.statement?.predicateType === SLSA_PROVENANCE_V1);
    const reasons = attestations.map((v) => provenanceMismatch(required, v.statement?.predicate));
    const ok = attestations.find((_, i) => reasons[i] === undefined);
    if (!ok) {
      const reason =
        attestations.length === 0
          ? `no verified ${SLSA_PROVENANCE_V1} attestation for ${subject.digest}`
          : reasons.filter((r) => r !== undefined).join('; ');
      const failure: SignatureFailure = { format: 'bundle-v0.3', source: 'provenance', code: 'POLICY_NOT_SATISFIED', message: reason };
      throw new SignatureVerificationError(
        'POLICY_NOT_SATISFIED',
        `verify SLSA provenance of ${subject.digest}: ${reason}`,
        [...failures, failure],
      );
    }
    ok.signature.policyMatched.push('provenance');
  }
  const signatures = verified.map((v) => v.signature);
  const warnings = [...trust.warnings];
  if (compiled.kind === 'keyless' && !compiled.issuer) {
    warnings.push('the policy names no OIDC issuer: any issuer trusted by the certificate authority is accepted');
  }
  return {
    verified: true,
    format: signatures[0]!.format,
    digest: subject.digest,
    signatures,
    rejected: failures,
    warnings,
  };
}
