// Loaded lazily by run.ts: everything Sigstore lives behind this import, outside action-kit's index.
export { prepareVerifier } from '../../action-kit/src/verification.js';
