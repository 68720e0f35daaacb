/**
 * Media types, descriptors and raw manifests of the OCI image spec and Docker schema 2.
 *
 * @see {@link https://github.com/opencontainers/image-spec/blob/main/descriptor.md | OCI image spec, Descriptor}
 * @see {@link https://github.com/opencontainers/image-spec/blob/main/manifest.md | OCI image spec, Image manifest}
 * @see {@link https://github.com/opencontainers/image-spec/blob/main/image-index.md | OCI image spec, Image index}
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';

/**
 * Media types tagwright reads and writes
 * ({@link https://github.com/opencontainers/image-spec/blob/main/media-types.md | image-spec, Media types}).
 */
export const MediaTypes = {
  /** OCI image manifest. */
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  /** OCI image index (multi-platform image, referrers list). */
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  /** OCI image config. */
  OCI_CONFIG: 'application/vnd.oci.image.config.v1+json',
  /** OCI layer, uncompressed tar. */
  OCI_LAYER: 'application/vnd.oci.image.layer.v1.tar',
  /** OCI layer, gzip-compressed tar. */
  OCI_LAYER_GZIP: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** The empty descriptor's media type (`{}`), used by artifacts. */
  OCI_EMPTY: 'application/vnd.oci.empty.v1+json',
  /** Docker image manifest, schema 2. */
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
  /** Docker manifest list (multi-platform), schema 2. */
  DOCKER_MANIFEST_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Docker image config. */
  DOCKER_CONFIG: 'application/vnd.docker.container.image.v1+json',
} as const;

/**
 * The four manifest media types sent in `Accept` on every manifest request: OCI manifest,
 * OCI index, Docker schema 2 manifest and Docker manifest list. Without them a registry may
 * answer 404 for OCI content or convert a schema 2 manifest to schema 1 (a different digest)
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | Pulling manifests}).
 */
export const MANIFEST_MEDIA_TYPES: readonly string[] = Object.freeze([
  MediaTypes.OCI_MANIFEST,
  MediaTypes.OCI_INDEX,
  MediaTypes.DOCKER_MANIFEST,
  MediaTypes.DOCKER_MANIFEST_LIST,
]);

/** Media types of manifests that list other manifests (multi-platform images). */
export const INDEX_MEDIA_TYPES: readonly string[] = Object.freeze([
  MediaTypes.OCI_INDEX,
  MediaTypes.DOCKER_MANIFEST_LIST,
]);

/**
 * The platform of an image in an index
 * ({@link https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions | image-index, platform}).
 */
export interface Platform {
  /** CPU architecture, `GOARCH` values, e.g. `amd64`, `arm64`. */
  architecture: string;
  /** Operating system, `GOOS` values, e.g. `linux`. */
  os: string;
  /** CPU variant, e.g. `v8` for `arm64`. */
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  features?: string[];
}

/**
 * A content descriptor: what a piece of content is, its digest and its size in bytes
 * ({@link https://github.com/opencontainers/image-spec/blob/main/descriptor.md | image-spec, Descriptor}).
 */
export interface Descriptor {
  /** Media type of the referenced content. */
  mediaType: string;
  /** Digest `algorithm:hex` of the content bytes. */
  digest: string;
  /** Size of the content in bytes. */
  size: number;
  /** Type of an artifact (on referrers and artifact manifests). */
  artifactType?: string;
  /** Arbitrary metadata, e.g. `org.opencontainers.image.created`. */
  annotations?: Record<string, string>;
  /** Platform of an index entry. */
  platform?: Platform;
  /** Alternative locations; not used by tagwright. */
  urls?: string[];
}

/**
 * A manifest exactly as the registry served it. Keep `bytes` untouched: a retag re-PUTs them
 * with `mediaType`, and re-serialising JSON would change the digest.
 */
export interface RawManifest {
  /** The manifest bytes; `sha256(bytes)` equals `digest`. */
  bytes: Uint8Array;
  /** The `Content-Type` it was served with (or its `mediaType` field), e.g. `application/vnd.oci.image.index.v1+json`. */
  mediaType: string;
  /** Digest of `bytes`, `sha256:…`. */
  digest: string;
}

/**
 * Computes the digest of content
 * ({@link https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests | image-spec, Digests}).
 *
 * @param bytes - the content.
 * @param algorithm - `sha256` (default) or `sha512`.
 * @returns `algorithm:hex`.
 */
export function computeDigest(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/**
 * The tag under which the referrers tag schema stores the referrers of `digest`:
 * `<alg>-<hex>` with the algorithm cut to 32 and the hex to 64 characters
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema | Referrers tag schema}).
 *
 * @param digest - the subject's digest, e.g. `sha256:abc…`.
 * @returns e.g. `sha256-abc…`.
 */
export function referrersTag(digest: string): string {
  const [algorithm = '', hex = ''] = digest.split(':', 2);
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`;
}
