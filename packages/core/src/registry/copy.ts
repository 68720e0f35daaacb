/**
 * Copies an image (everything a manifest or index references) into another repository, at the
 * protocol floor: within one registry every blob is mounted (one `POST` each, no `HEAD` first);
 * across registries blobs are streamed from the source into the destination without being held in
 * memory. Digests never change: manifests are written with their raw bytes and media type.
 * Like go-containerregistry's `remote.Write` / `crane copy`, without a local cache.
 *
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository | Mounting a blob from another repository}
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs | Pushing blobs}
 * @see {@link https://github.com/opencontainers/image-spec/blob/main/image-index.md | image-spec, Image index}
 * @packageDocumentation
 */
import pLimit from 'p-limit';
import { RegistryError } from '../errors.js';
import type { RegistryClient } from './client.js';
import { formatReference } from './reference.js';
import type { RepositoryReference } from './reference.js';
import { INDEX_MEDIA_TYPES } from './types.js';
import type { Descriptor, RawManifest } from './types.js';

/** What {@link copyImage} moved. The same shape as core promote's `CopyFigures`. */
export interface CopyResult {
  /** Blobs the destination answered `201 Created` to a mount request for: mounted, or already there. */
  blobsMounted: number;
  /** Blobs streamed from the source (another registry, or the registry refused the mount with `202`). */
  blobsCopied: number;
  /** Blobs another registry already had (`HEAD` answered 200), so nothing was streamed. */
  blobsPresent: number;
  /** Bytes streamed for copied blobs (the sum of their descriptor sizes). */
  bytesCopied: number;
  /** Manifests written by digest: the children of an index (and the root with `writeRoot`). */
  manifestsWritten: number;
}

/** Options of {@link copyImage}. */
export interface CopyOptions {
  /**
   * Also `PUT` the root manifest by digest (default false). Leave it off when the caller writes the
   * root under its tags right after (as promote does): that `PUT` stores the same bytes, so writing
   * it by digest first would be one request more for nothing.
   */
  writeRoot?: boolean;
  /**
   * Blob copies in flight at once (default 8, the client's default per-host bound, so that a
   * two-platform image mounts its blobs in one round trip). Counts do not depend on it.
   */
  concurrency?: number;
}

interface ParsedManifest {
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
  blobs?: Descriptor[];
}

/**
 * Copies everything `root` references from `source` into `destination`, so that `root` can then be
 * written there under any tag with one `PUT` of its bytes:
 *
 * - an image: its config and layers;
 * - an index: for each child, one `GET` of the child manifest by digest, its config and layers,
 *   then a `PUT` of the child by digest (children before the index, as registries require).
 *
 * Within one registry each blob costs one mount request
 * (`POST /v2/<destination>/blobs/uploads/?mount=<digest>&from=<source>`); `201` means the blob is now
 * there (mounted or already present). Only when the registry answers `202` (mount refused) is the
 * blob streamed. Across registries each blob costs a `HEAD` on the destination, and, when missing, a
 * streamed `GET` piped into a `POST` + `PUT` upload: memory stays flat whatever the layer size, and
 * the digest is checked while streaming. Non-distributable (foreign) layers are not copied.
 *
 * Requests for a two-platform index with 3 layers per platform on one registry: 2 child `GET`s,
 * 8 mounts, 2 child `PUT`s (12), and 0 blob bytes moved.
 *
 * @param client - a client with pull on `source` and push on `destination`.
 * @param source - where `root` lives.
 * @param destination - the repository to copy into (same or another registry).
 * @param root - the manifest or index as {@link RegistryClient.getManifest} returned it.
 * @param options - see {@link CopyOptions}.
 * @returns the {@link CopyResult} figures.
 * @throws {@link RegistryError} from the first failing request (what was written before stays;
 *   writing again is safe), or `REGISTRY_ERROR` when a manifest is not JSON.
 * @example
 * ```ts
 * const source = parseRepository('ghcr.io/acme/app-staging');
 * const destination = parseRepository('ghcr.io/acme/app');
 * const root = await client.getManifest({ ...source, tag: '1.2.3' });
 * const figures = await copyImage(client, source, destination, root);
 * await client.putManifest(destination, '1.2.3', root); // same digest as in the source
 * ```
 */
export async function copyImage(
  client: RegistryClient,
  source: RepositoryReference,
  destination: RepositoryReference,
  root: RawManifest,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const result: CopyResult = { blobsMounted: 0, blobsCopied: 0, blobsPresent: 0, bytesCopied: 0, manifestsWritten: 0 };
  const sameRegistry = source.registry === destination.registry;
  const limit = pLimit(Math.max(1, options.concurrency ?? 8));
  const seenBlobs = new Set<string>();
  const seenManifests = new Set<string>();

  const streamBlob = async (blob: Descriptor): Promise<void> => {
    const { stream } = await client.openBlob(source, blob.digest);
    try {
      await client.uploadBlob(destination, blob.digest, blob.size, stream);
    } catch (error) {
      await stream.cancel().catch(() => {});
      throw error;
    }
    result.blobsCopied += 1;
    result.bytesCopied += blob.size;
  };

  const copyBlob = async (blob: Descriptor): Promise<void> => {
    if (sameRegistry) {
      if (await client.mountBlob(destination, blob.digest, source)) result.blobsMounted += 1;
      else await streamBlob(blob);
      return;
    }
    if (await client.headBlob(destination, blob.digest)) result.blobsPresent += 1;
    else await streamBlob(blob);
  };

  const copyTree = async (manifest: RawManifest, write: boolean): Promise<void> => {
    const parsed = parseManifest(manifest, source);
    if (INDEX_MEDIA_TYPES.includes(manifest.mediaType) || Array.isArray(parsed.manifests)) {
      const children = (parsed.manifests ?? []).filter((child) => !seenManifests.has(child.digest));
      for (const child of children) seenManifests.add(child.digest);
      await Promise.all(
        children.map(async (child) => copyTree(await client.getManifest({ ...source, digest: child.digest }), true)),
      );
    } else {
      const blobs = [...(parsed.config ? [parsed.config] : []), ...(parsed.layers ?? parsed.blobs ?? [])].filter(
        (blob) => !seenBlobs.has(blob.digest) && !/nondistributable|foreign/.test(blob.mediaType),
      );
      for (const blob of blobs) seenBlobs.add(blob.digest);
      await Promise.all(blobs.map((blob) => limit(() => copyBlob(blob))));
    }
    if (!write) return;
    await client.putManifest(destination, manifest.digest, manifest);
    result.manifestsWritten += 1;
  };

  await copyTree(root, options.writeRoot ?? false);
  return result;
}

function parseManifest(manifest: RawManifest, source: RepositoryReference): ParsedManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(manifest.bytes));
  } catch (error) {
    throw new RegistryError('REGISTRY_ERROR', `copy image ${formatReference({ ...source, digest: manifest.digest })}: manifest is not JSON`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new RegistryError('REGISTRY_ERROR', `copy image ${formatReference({ ...source, digest: manifest.digest })}: manifest is not a JSON object`);
  }
  return parsed as ParsedManifest;
}
