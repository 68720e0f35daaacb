/**
 * Shapes shared by the sigstore module: signature candidates found next to an image,
 * the verification policy a user writes, and the result of a verification.
 *
 * @packageDocumentation
 */
import { VerificationError } from '../errors.js';

/** Media type of a legacy cosign signature layer (the simple-signing payload). */
export const COSIGN_SIMPLESIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';

/** `critical.type` of a cosign simple-signing payload. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** Artifact type / layer media type of a Sigstore bundle v0.3 attached as an OCI referrer. */
export const SIGSTORE_BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** Layer media type of a legacy cosign attestation (`cosign attest`): a DSSE envelope in the `sha256-<hex>.att` manifest. */
export const COSIGN_DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

/** Layer annotation of a legacy cosign attestation naming its in-toto predicate type. */
export const COSIGN_PREDICATE_TYPE_ANNOTATION = 'predicateType';

/** The input (and cosign flag, `--insecure-ignore-tlog`) that accepts key-based signatures without a transparency-log entry. */
export const INSECURE_IGNORE_TLOG_INPUT = 'insecure-ignore-tlog';

/** In-toto predicate type of SLSA provenance v1 ({@link https://slsa.dev/spec/v1.0/provenance}). */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/**
 * Layer annotations of a legacy cosign signature
 * ({@link https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md | cosign SIGNATURE_SPEC}).
 */
export const COSIGN_ANNOTATIONS = {
  /** base64 signature over the payload bytes. */
  signature: 'dev.cosignproject.cosign/signature',
  /** PEM leaf certificate (keyless only). */
  certificate: 'dev.sigstore.cosign/certificate',
  /** PEM intermediate + root (keyless only; not trusted, the trusted root decides). */
  chain: 'dev.sigstore.cosign/chain',
  /** The Rekor SET: `{"SignedEntryTimestamp","Payload":{"body","integratedTime","logIndex","logID"}}`. */
  bundle: 'dev.sigstore.cosign/bundle',
  /** `{"SignedRFC3161TimestampToken": base64}`. */
  rfc3161Timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
} as const;

/**
 * The signature formats tagwright verifies: legacy cosign signatures (`.sig`), legacy cosign
 * attestations (`.att`, DSSE envelopes as `cosign attest` writes them) and Sigstore bundles v0.3.
 */
export type SignatureFormat = 'cosign-legacy' | 'cosign-attestation' | 'bundle-v0.3';

/**
 * One signature found for an image, as data: what {@link discoverSignatures} returns and
 * what {@link verifySignatures} consumes.
 */
export type SignatureCandidate =
  | {
      format: 'cosign-legacy';
      /** Where it was found, e.g. `tag sha256-<hex>.sig, layer 0`. */
      source: string;
      /** The layer media type (must be {@link COSIGN_SIMPLESIGNING_MEDIA_TYPE}). */
      mediaType: string;
      /** The layer blob: the simple-signing payload bytes. */
      payload: Uint8Array;
      /** The layer annotations (see {@link COSIGN_ANNOTATIONS}). */
      annotations: Record<string, string>;
    }
  | {
      format: 'cosign-attestation';
      /** Where it was found, e.g. `tag sha256-<hex>.att layer 0`. */
      source: string;
      /** The layer media type (must be {@link COSIGN_DSSE_MEDIA_TYPE}). */
      mediaType: string;
      /** The layer blob: the DSSE envelope JSON bytes (`payloadType`, `payload`, `signatures`). */
      envelope: Uint8Array;
      /** The layer annotations (`predicateType`, and {@link COSIGN_ANNOTATIONS} for a log entry or certificate). */
      annotations: Record<string, string>;
    }
  | {
      format: 'bundle-v0.3';
      /** Where it was found, e.g. `referrer sha256:<hex>`. */
      source: string;
      /** The bundle, parsed from its JSON bytes but not yet validated. */
      bundle: unknown;
    };

/** GitHub Actions claims that Fulcio writes into certificate extensions (fulcio `docs/oid-info.md`). */
export interface GitHubWorkflowPolicy {
  /**
   * Source repository: `owner/repo` (compared with the path of OID `1.3.6.1.4.1.57264.1.12`)
   * or a full URI such as `https://github.com/owner/repo` (compared exactly).
   */
  sourceRepository?: string;
  /** Source repository ref, e.g. `refs/tags/v1.2.3` (OID `.14`, falling back to `.6`). */
  sourceRef?: string;
  /** Workflow trigger / event name, e.g. `push` (OID `.20`, falling back to `.2`). */
  workflowTrigger?: string;
  /** Build signer digest: the commit of the signing workflow (OID `.10`). */
  buildSignerDigest?: string;
}

/** An optional SLSA provenance requirement ({@link https://slsa.dev/spec/v1.0/provenance}). */
export interface ProvenancePolicy {
  /** Required `runDetails.builder.id` (exact). */
  builderId?: string;
  /**
   * Required source repository: `owner/repo` or a URI; matched against
   * `buildDefinition.externalParameters.workflow.repository` or a `resolvedDependencies[].uri`.
   */
  sourceRepository?: string;
}

/** Overrides of sigstore-js's verifier thresholds (`VerifierOptions`). Advanced use. */
export interface VerifierThresholds {
  /** Minimum transparency-log entries. */
  tlog?: number;
  /** Minimum SCTs in the certificate (certificate transparency). */
  ctlog?: number;
  /** Minimum verified timestamps (transparency log or RFC 3161). */
  timestamp?: number;
}

/**
 * What a signature must satisfy. Exactly one of `publicKey` (key-based) or a certificate
 * identity (keyless: `certificateIdentity` / `certificateIdentityRegexp`) is required.
 *
 * Identities are always matched against the WHOLE subject alternative name: an exact
 * identity is compared literally, a regexp is wrapped as `^(?:…)$`.
 */
export interface SignaturePolicy {
  /** PEM public key (`cosign.pub`): ECDSA P-256/P-384, Ed25519 or RSA. */
  publicKey?: string;
  /** Exact certificate identity (SAN URI or email). */
  certificateIdentity?: string;
  /** Regular expression (JavaScript syntax) the whole SAN must match. */
  certificateIdentityRegexp?: string;
  /** Exact OIDC issuer (Fulcio extension `.8`, falling back to `.1`). */
  certificateOidcIssuer?: string;
  /** Regular expression the whole OIDC issuer must match. */
  certificateOidcIssuerRegexp?: string;
  /** GitHub Actions claims from the certificate (keyless only). */
  github?: GitHubWorkflowPolicy;
  /**
   * Whether a transparency-log entry is required. Default: true when the trusted root has a
   * transparency log, false otherwise (GitHub's instance has none).
   */
  requireTlog?: boolean;
  /**
   * Accept a key-based signature that has no transparency-log entry (cosign's
   * `--insecure-ignore-tlog`, for `cosign sign --key … --tlog-upload=false`). Only with
   * `publicKey`; a keyless policy with it is a ConfigurationError. Default false: such a
   * signature is refused with `NO_LOG_ENTRY`, and the message names the input.
   */
  insecureIgnoreTlog?: boolean;
  /** Require an SLSA provenance v1 attestation for the digest. */
  provenance?: ProvenancePolicy;
  /** Advanced: override sigstore-js's thresholds (tlog / ctlog / timestamp). */
  thresholds?: VerifierThresholds;
}

/** The digest being admitted and, when available, the bytes it names. */
export interface VerificationSubject {
  /** `sha256:<64 hex>`. */
  digest: string;
  /** The manifest (or artifact) bytes; needed only for message-signature bundles. */
  bytes?: Uint8Array;
}

/** One signature that passed every check. */
export interface VerifiedSignature {
  format: SignatureFormat;
  source: string;
  /** The certificate SAN (keyless) or undefined (key-based). */
  signerIdentity?: string;
  /** The OIDC issuer of the certificate (keyless), if it carries one. */
  issuer?: string;
  /** Transparency-log index of the first log entry, when there is one. */
  logIndex?: number;
  /** Integrated time of the first log entry, when there is one. */
  integratedTime?: Date;
  /** For DSSE bundles: the in-toto predicate type. */
  predicateType?: string;
  /** The policy checks this signature satisfied, e.g. `['signature', 'certificateIdentity', 'digest']`. */
  policyMatched: string[];
}

/** Why one signature was rejected. */
export interface SignatureFailure {
  format: SignatureFormat;
  source: string;
  code: VerificationError['code'];
  /** Human readable, e.g. `certificate identity "…" does not equal "…"`. */
  message: string;
}

/** A successful verification. */
export interface VerificationResult {
  verified: true;
  /** Format of the first verified signature. */
  format: SignatureFormat;
  digest: string;
  signatures: VerifiedSignature[];
  /** Signatures that were found but rejected (still reported, for the log). */
  rejected: SignatureFailure[];
  /** Notes for the caller to log (e.g. the trust root came from the embedded TUF seed). */
  warnings: string[];
}

/**
 * Verification failed: `failures` names the failed check for each signature found
 * (empty with code `NO_SIGNATURE` when none was found).
 */
export class SignatureVerificationError extends VerificationError {
  /** One entry per signature candidate (or per unmet requirement such as provenance). */
  readonly failures: SignatureFailure[];

  constructor(
    code: VerificationError['code'],
    message: string,
    failures: SignatureFailure[],
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.failures = failures;
  }
}
