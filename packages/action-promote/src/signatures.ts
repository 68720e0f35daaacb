// Loaded lazily by run.ts on the cross-repository path. Signature storage is registry I/O only,
// so copying signatures does not load sigstore-js.
export { copySignatures } from '@tagwright/core/sigstore/storage';
