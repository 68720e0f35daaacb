import { RegistryError } from '@tagwright/core/errors';
import type { ImageReference, RegistryClient } from '@tagwright/core/registry';

/** The digest a reference resolves to (`HEAD`), or undefined when the registry answers 404; other failures throw. */
export async function resolveOrUndefined(client: Pick<RegistryClient, 'resolveDigest'>, ref: ImageReference): Promise<string | undefined> {
  try {
    return (await client.resolveDigest(ref)).digest;
  } catch (error: unknown) {
    if (error instanceof RegistryError && error.status === 404) return undefined;
    throw error;
  }
}
