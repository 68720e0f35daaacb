export { createSigstoreMock } from './mock.js';
export type { MockBundleOptions, MockGitHubClaims, MockSigner, MockSignOptions, SigstoreMock } from './mock.js';
export { pushBundle, pushLegacySignatures } from './push.js';
