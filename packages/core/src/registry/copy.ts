/**
 * Copies an image (a manifest and everything it references) between repositories, mounting blobs
 * within a registry and uploading them across registries, like go-containerregistry's
 * `remote.Write` / `crane copy`.
 *
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository | Mounting a blob}
 * @see {@link https://github.com/opencontainers/image-spec/blob/main/image-index.md | image-spec, Image index}
 * @packageDocumentation
 */
import { RegistryError } from '../errors.js';
import type { RegistryClient } from './client.js';
import { formatReference } from './reference.js';
import type { RepositoryReference } from './reference.js';
import { INDEX_MEDIA_TYPES, computeDigest } from './types.js';
import type { Descriptor, RawManifest } from './types.js';

/** What {@link copyImage} did. */
export interface CopyResult {
  /** Blobs mounted from the source repository (same registry, 201). */
  blobsMounted: number;
  /** Blobs downloaded and uploaded (another registry, or the mount was refused). */
  blobsCopied: number;
  /** Blobs the destination already had. */
  blobsPresent: number;
  /** Bytes uploaded for copied blobs. */
  bytesCopied: number;
  /** Manifests written by digest (children of an index, then the root). */
  manifestsWritten: number;
}

/**
 * Copies the manifest tree of `root` from `source` into `destination` without tagging it: for an
 * index, each child manifest (by digest) and its blobs; for an image, its config and layers. Blobs
 * the destination has are skipped; within one registry they are mounted, otherwise fetched and
 * uploaded (whole, in memory). Manifests are written with their raw bytes and media type, so every
 * digest stays the same. Non-distributable (foreign) layers are not copied.
 *
 * @param client - a client with pull on `source` and push on `destination`.
 * @param source - where `root` lives.
 * @param destination - where to copy to (same or another registry).
 * @param root - the manifest or index as {@link RegistryClient.getManifest} returned it.
 * @returns counts of what was mounted, copied, skipped and written.
 * @throws {@link RegistryError} from the first failing request; what was written before stays.
 * @example
 * ```ts
 * const root = await client.getManifest({ ...source, tag: '1.2.3' });
 * await copyImage(client, source, destination, root);
 * await client.putManifest(destination, '1.2.3', root);
 * ```
 */
export async function copyImage(
  client: RegistryClient,
  source: RepositoryReference,
  destination: RepositoryReference,
  root: RawManifest,
): Promise<CopyResult> {
  const result: CopyResult = { blobsMounted: 0, blobsCopied: 0, blobsPresent: 0, bytesCopied: 0, manifestsWritten: 0 };
  const seenBlobs = new Set<string>();

  const copyBlob = async (blob: Descriptor): Promise<void> => {
    if (seenBlobs.has(blob.digest)) return;
    seenBlobs.add(blob.digest);
    if (/nondistributable|foreign/.test(blob.mediaType)) return;
    if (await client.headBlob(destination, blob.digest)) {
      result.blobsPresent += 1;
      return;
    }
    if (source.registry === destination.registry && (await client.mountBlob(destination, blob.digest, source))) {
      result.blobsMounted += 1;
      return;
    }
    const bytes = await client.getBlob(source, blob.digest);
    await client.putBlob(destination, bytes, blob.digest);
    result.blobsCopied += 1;
    result.bytesCopied += bytes.byteLength;
  };

  const copyManifest = async (manifest: RawManifest): Promise<void> => {
    const parsed = parseManifest(manifest, source);
    if (INDEX_MEDIA_TYPES.includes(manifest.mediaType) || Array.isArray(parsed.manifests)) {
      for (const child of parsed.manifests ?? []) {
        const childManifest = await client.getManifest({ ...source, digest: child.digest });
        await copyManifest(childManifest);
      }
    } else {
      for (const blob of [...(parsed.config ? [parsed.config] : []), ...(parsed.layers ?? [])]) await copyBlob(blob);
    }
    await client.putManifest(destination, manifest.digest, manifest);
    result.manifestsWritten += 1;
  };

  await copyManifest(root);
  return result;
}

function parseManifest(
  manifest: RawManifest,
  source: RepositoryReference,
): { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] } {
  try {
    return JSON.parse(new TextDecoder().decode(manifest.bytes)) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
  } catch (error) {
    throw new RegistryError(
      'REGISTRY_ERROR',
      `copy image ${formatReference({ ...source, digest: manifest.digest || computeDigest(manifest.bytes) })}: manifest is not JSON`,
      { cause: error },
    );
  }
}
