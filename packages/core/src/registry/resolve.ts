import { RegistryError } from '../errors.js';
import type { RegistryClient } from './client.js';
import type { ImageReference } from './reference.js';

/**
 * The digest a tag or digest resolves to (one `HEAD`), or undefined when the registry answers 404
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry | OCI distribution spec, Checking if content exists}).
 *
 * @param client - anything with `resolveDigest`.
 * @param ref - the reference to resolve.
 * @returns `sha256:<hex>`, or undefined when the manifest does not exist.
 * @throws RegistryError for every failure other than 404 (auth, network, 5xx after retries).
 */
export async function resolveDigestIfExists(client: Pick<RegistryClient, 'resolveDigest'>, ref: ImageReference): Promise<string | undefined> {
  try {
    return (await client.resolveDigest(ref)).digest;
  } catch (error: unknown) {
    if (error instanceof RegistryError && error.status === 404) return undefined;
    throw error;
  }
}
