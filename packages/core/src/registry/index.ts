/**
 * The OCI registry module: strict reference parsing, keychains, and a registry client built on
 * a small transport that owns auth, retries and error decoding (go-containerregistry's
 * `name` / `authn` / `remote`).
 *
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md | OCI distribution spec}
 * @packageDocumentation
 */
export {
  DOCKER_HUB,
  formatReference,
  parseReference,
  parseRepository,
  validateDigest,
  validateTag,
} from './reference.js';
export type { ImageReference, RepositoryReference } from './reference.js';
export {
  INDEX_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPES,
  MediaTypes,
  computeDigest,
  referrersTag,
} from './types.js';
export type { Descriptor, Platform, RawManifest } from './types.js';
export { chainKeychains, dockerConfigKeychain, staticKeychain } from './keychain.js';
export type { Credential, Keychain } from './keychain.js';
export type { RequestEvent, RetryOptions, TimeoutOptions } from './transport.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONCURRENCY_PER_HOST } from './transport.js';
export { createRegistryClient } from './client.js';
export type { RegistryClient, RegistryClientOptions, RepositoryAccess } from './client.js';
export { copyImage } from './copy.js';
export type { CopyResult } from './copy.js';
export type { CopyOptions } from './copy.js';
export { deletionApiFor } from './capabilities.js';
export { createNodeHttpFetch } from './node-http.js';
export type { NodeHttpFetchOptions } from './node-http.js';
export { resolveDigestIfExists } from './resolve.js';
