export { createSigstoreMock, createSigstoreMockWithTrustedRoot } from './mock.js';
export type { MockBundleOptions, MockGitHubClaims, MockSigner, MockSignOptions, SigstoreMock, SigstoreMockWithTrustedRoot } from './mock.js';
export { pushBundle, pushLegacySignatures } from './push.js';
export { pushLegacyAttestations, signLegacyAttestation } from './attest.js';
