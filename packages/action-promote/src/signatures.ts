// Loaded lazily by run.ts on the cross-repository path: signature copying lives in the sigstore module.
export { copySignatures } from '@tagwright/core/sigstore';
