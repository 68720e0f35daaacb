/**
 * Seeds a registry with images through our own client: single-platform images, multi-platform
 * indexes with untagged children, and referrers (artifacts with a `subject`) using the referrers
 * tag schema. Content is random, or deterministic from a `seed`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { MediaTypes, computeDigest, referrersTag } from '@tagwright/core';
import type { Descriptor, RegistryClient, RepositoryReference } from '@tagwright/core';

/** What was pushed. */
export interface SeededImage {
  /** Repository name (without registry). */
  repository: string;
  tag?: string;
  /** Digest of the manifest or index. */
  digest: string;
  mediaType: string;
  /** `os/arch[/variant]` of the image, or of each child of an index. */
  platforms?: string[];
  /** Children of an index, in platform order. */
  childDigests?: string[];
  /** Size of the manifest or index in bytes. */
  size?: number;
  /** Layer digests of a single image. */
  layerDigests?: string[];
  /** Config digest of a single image. */
  configDigest?: string;
}

/** Options of {@link pushImage}. */
export interface PushImageOptions {
  /** Tag to push under; pushed by digest (untagged) when absent. */
  tag?: string;
  /** Sizes of the layers in bytes (default one layer of 512 bytes). */
  layerSizes?: number[];
  /** Makes the content deterministic: the same seed gives the same digest. */
  seed?: string;
  /** `os/arch[/variant]`, default `linux/amd64`. */
  platform?: string;
  /** `oci` (default) or `docker` (schema 2 media types). */
  format?: 'oci' | 'docker';
  /** Extra image config labels, e.g. `org.opencontainers.image.revision`. */
  labels?: Record<string, string>;
}

const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

function platformOf(text: string): { os: string; architecture: string; variant?: string } {
  const [os = 'linux', architecture = 'amd64', variant] = text.split('/');
  return { os, architecture, ...(variant ? { variant } : {}) };
}

function contentBytes(size: number, seed: string | undefined, label: string): Uint8Array {
  if (seed === undefined) return new Uint8Array(randomBytes(size));
  const out = new Uint8Array(size);
  let offset = 0;
  for (let block = 0; offset < size; block++) {
    const chunk = createHash('sha256').update(`${seed}:${label}:${block}`).digest();
    out.set(chunk.subarray(0, Math.min(chunk.length, size - offset)), offset);
    offset += chunk.length;
  }
  return out;
}

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/**
 * Pushes a single-platform image: layers, a config and a manifest, really uploaded with `client`.
 *
 * @param client - a registry client with push rights.
 * @param repo - where to push.
 * @param options - see {@link PushImageOptions}.
 * @returns the pushed image.
 */
export async function pushImage(
  client: RegistryClient,
  repo: RepositoryReference,
  options: PushImageOptions = {},
): Promise<SeededImage> {
  const format = options.format ?? 'oci';
  const platform = options.platform ?? 'linux/amd64';
  const nonce = options.seed ?? randomBytes(8).toString('hex');
  const layers: Descriptor[] = [];
  for (const [index, size] of (options.layerSizes ?? [512]).entries()) {
    const bytes = contentBytes(size, options.seed, `${platform}:layer:${index}`);
    const pushed = await client.putBlob(repo, bytes);
    layers.push({ mediaType: format === 'oci' ? MediaTypes.OCI_LAYER : DOCKER_LAYER, digest: pushed.digest, size: pushed.size });
  }
  const config = encode({
    ...platformOf(platform),
    created: '2026-01-01T00:00:00Z',
    config: { Labels: { 'dev.tagwright.testkit.seed': nonce, ...options.labels } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  });
  const configBlob = await client.putBlob(repo, config);
  const mediaType = format === 'oci' ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
  const manifest = encode({
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: format === 'oci' ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG,
      digest: configBlob.digest,
      size: configBlob.size,
    },
    layers,
  });
  const digest = computeDigest(manifest);
  await client.putManifest(repo, options.tag ?? digest, { bytes: manifest, mediaType });
  return {
    repository: repo.repository,
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    digest,
    mediaType,
    platforms: [platform],
    size: manifest.byteLength,
    layerDigests: layers.map((l) => l.digest),
    configDigest: configBlob.digest,
  };
}

/**
 * Pushes a multi-platform image: one untagged image per platform, then an index (OCI image
 * index, or a Docker manifest list with `format: 'docker'`) naming them.
 *
 * @param options - `platforms` default `['linux/amd64', 'linux/arm64']`; the rest as {@link pushImage}.
 * @returns the index, with `childDigests` in platform order.
 */
export async function pushIndex(
  client: RegistryClient,
  repo: RepositoryReference,
  options: { tag?: string; platforms?: string[]; layerSizes?: number[]; seed?: string; format?: 'oci' | 'docker'; labels?: Record<string, string> } = {},
): Promise<SeededImage> {
  const platforms = options.platforms ?? ['linux/amd64', 'linux/arm64'];
  const format = options.format ?? 'oci';
  const children: SeededImage[] = [];
  for (const platform of platforms) {
    children.push(
      await pushImage(client, repo, {
        platform,
        format,
        ...(options.layerSizes ? { layerSizes: options.layerSizes } : {}),
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.labels ? { labels: options.labels } : {}),
      }),
    );
  }
  const mediaType = format === 'oci' ? MediaTypes.OCI_INDEX : MediaTypes.DOCKER_MANIFEST_LIST;
  const index = encode({
    schemaVersion: 2,
    mediaType,
    manifests: children.map((child, i) => ({
      mediaType: child.mediaType,
      digest: child.digest,
      size: child.size,
      platform: platformOf(platforms[i] ?? ''),
    })),
  });
  const digest = computeDigest(index);
  await client.putManifest(repo, options.tag ?? digest, { bytes: index, mediaType });
  return {
    repository: repo.repository,
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    digest,
    mediaType,
    platforms,
    childDigests: children.map((c) => c.digest),
    size: index.byteLength,
  };
}

/**
 * Pushes an artifact that refers to `subject` (a signature, SBOM, attestation stand-in): an
 * OCI manifest with `artifactType`, the empty config, one layer and `subject`; then adds it to
 * the referrers tag schema index (`sha256-<hex>`), as clients do for registries without the
 * referrers API.
 *
 * @returns the artifact's descriptor as listed in the referrers index.
 */
export async function pushReferrer(
  client: RegistryClient,
  repo: RepositoryReference,
  subject: { digest: string; mediaType: string; size: number },
  options: { artifactType: string; content?: Uint8Array; layerMediaType?: string; annotations?: Record<string, string> },
): Promise<Descriptor> {
  const empty = new TextEncoder().encode('{}');
  const emptyBlob = await client.putBlob(repo, empty);
  const content = options.content ?? new Uint8Array(randomBytes(64));
  const layer = await client.putBlob(repo, content);
  const manifest = encode({
    schemaVersion: 2,
    mediaType: MediaTypes.OCI_MANIFEST,
    artifactType: options.artifactType,
    config: { mediaType: MediaTypes.OCI_EMPTY, digest: emptyBlob.digest, size: emptyBlob.size },
    layers: [{ mediaType: options.layerMediaType ?? 'application/octet-stream', digest: layer.digest, size: layer.size }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  const digest = await client.putManifest(repo, computeDigest(manifest), { bytes: manifest, mediaType: MediaTypes.OCI_MANIFEST });
  const descriptor: Descriptor = {
    mediaType: MediaTypes.OCI_MANIFEST,
    digest,
    size: manifest.byteLength,
    artifactType: options.artifactType,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const tag = referrersTag(subject.digest);
  let existing: Descriptor[] = [];
  try {
    const current = await client.getManifest({ ...repo, tag });
    existing = (JSON.parse(new TextDecoder().decode(current.bytes)) as { manifests?: Descriptor[] }).manifests ?? [];
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'NOT_FOUND') throw error;
  }
  const index = encode({ schemaVersion: 2, mediaType: MediaTypes.OCI_INDEX, manifests: [...existing, descriptor] });
  await client.putManifest(repo, tag, { bytes: index, mediaType: MediaTypes.OCI_INDEX });
  return descriptor;
}

/** One small layer and one config blob, pushed once and shared by many {@link putTinyImage} images. */
export interface TinyImageBlobs {
  layer: { digest: string; size: number };
  config: { digest: string; size: number };
}

/** Pushes the blobs {@link putTinyImage} shares: a 64-byte layer and a `linux/amd64` config. */
export async function pushTinyImageBlobs(client: RegistryClient, repo: RepositoryReference): Promise<TinyImageBlobs> {
  const layer = await client.putBlob(repo, new Uint8Array(64));
  const config = await client.putBlob(repo, encodeJson({ architecture: 'amd64', os: 'linux' }));
  return { layer, config };
}

/**
 * Puts a single-platform OCI image manifest over shared blobs under each of `tags`, for seeding many
 * images fast (thousands of tags). `created` (ISO 8601) goes into the manifest's
 * `org.opencontainers.image.created` annotation, or with `createdIn: 'config'` into a config of its own.
 *
 * @returns the manifest's digest.
 */
export async function putTinyImage(
  client: RegistryClient,
  repo: RepositoryReference,
  tags: readonly string[],
  options: { blobs: TinyImageBlobs; created?: string; createdIn?: 'annotation' | 'config' },
): Promise<string> {
  const { blobs, created } = options;
  const config =
    created !== undefined && options.createdIn === 'config' ? await client.putBlob(repo, encodeJson({ created, architecture: 'amd64', os: 'linux' })) : blobs.config;
  const bytes = encodeJson({
    schemaVersion: 2,
    mediaType: MediaTypes.OCI_MANIFEST,
    config: { mediaType: MediaTypes.OCI_CONFIG, digest: config.digest, size: config.size },
    layers: [{ mediaType: MediaTypes.OCI_LAYER, digest: blobs.layer.digest, size: blobs.layer.size }],
    ...(created !== undefined && options.createdIn !== 'config' ? { annotations: { 'org.opencontainers.image.created': created } } : {}),
  });
  for (const tag of tags) await client.putManifest(repo, tag, { bytes, mediaType: MediaTypes.OCI_MANIFEST });
  return computeDigest(bytes);
}

function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
