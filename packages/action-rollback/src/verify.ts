// Loaded lazily by run.ts: everything Sigstore lives behind this import, outside action-kit's index
// (the same verifier promote uses).
export { prepareVerifier } from '../../action-kit/src/verification.js';
