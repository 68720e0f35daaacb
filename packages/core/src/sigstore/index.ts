// Curated exports of the sigstore module (verification is pure; discovery and trust loading are adapters).
export {
  COSIGN_ANNOTATIONS,
  COSIGN_DSSE_MEDIA_TYPE,
  COSIGN_PREDICATE_TYPE_ANNOTATION,
  COSIGN_SIGNATURE_TYPE,
  INSECURE_IGNORE_TLOG_INPUT,
  COSIGN_SIMPLESIGNING_MEDIA_TYPE,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  SLSA_PROVENANCE_V1,
  SignatureVerificationError,
} from './types.js';
export type {
  GitHubWorkflowPolicy,
  ProvenancePolicy,
  SignatureCandidate,
  SignatureFailure,
  SignatureFormat,
  SignaturePolicy,
  VerificationResult,
  VerificationSubject,
  VerifiedSignature,
  VerifierThresholds,
} from './types.js';
export { compilePolicy, parsePublicKey, FULCIO_OIDS } from './policy.js';
export type { CompiledPolicy } from './policy.js';
export { parseTrustedRoot } from './trust.js';
export type { SigstoreTrust, TrustedRootOrigin } from './trust.js';
export { loadTrust, readTrustedRootFile, embeddedPublicGoodTrustedRoot, PUBLIC_GOOD_TUF_MIRROR } from './trust-loader.js';
export type { TrustSource } from './trust-loader.js';
export { verifySignatures } from './verify.js';
export { discoverSignatures, verifyImage } from './discover.js';
export { copySignatures, attachBundle, cosignSignatureTag } from './storage.js';
export type { SignatureRegistry, CopiedSignatures } from './storage.js';
export { discoverLegacyAttestations, cosignAttestationTag } from './attestations.js';
