/**
 * Where cosign and Sigstore keep signatures in a registry, and moving them: the legacy
 * `sha256-<hex>.sig` tag, Sigstore bundle v0.3 referrers (with the `sha256-<hex>` referrers tag
 * schema for registries without the referrers API), copying both along with a promoted image,
 * and attaching a bundle as a referrer. Registry I/O only: no cryptography is loaded here, so a
 * cross-repository promotion can bring signatures along without loading sigstore-js.
 *
 * Follows {@link https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md | cosign's signature spec}
 * and {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers | OCI referrers}.
 *
 * @packageDocumentation
 */
import { ConfigurationError, RegistryError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import type { ImageReference, RepositoryReference } from '../registry/reference.js';
import { computeDigest, MediaTypes, referrersTag } from '../registry/types.js';
import type { Descriptor } from '../registry/types.js';
import { SIGSTORE_BUNDLE_V03_MEDIA_TYPE } from './types.js';

/** The registry operations discovery and copying need (a subset of {@link RegistryClient}). */
export type SignatureRegistry = Pick<
  RegistryClient,
  'getManifest' | 'getBlob' | 'putBlob' | 'putManifest' | 'referrers' | 'resolveDigest' | 'mountBlob' | 'headBlob'
>;


const EMPTY_CONFIG = new TextEncoder().encode('{}');
/** The fields of a manifest or index that signature handling reads. */
export interface ManifestJson {
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: (Descriptor & { annotations?: Record<string, string> })[];
  subject?: Descriptor;
  manifests?: Descriptor[];
  annotations?: Record<string, string>;
}

/** Parses manifest bytes as JSON. @throws RegistryError (`UNSUPPORTED`) when they are not JSON. */
export function parseJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  } catch (error) {
    throw new RegistryError('UNSUPPORTED', `read ${what}: not JSON`, { cause: error });
  }
}

/**
 * The repository part of a reference: registry and repository only. An {@link ImageReference} with a
 * digest spread into `{ ...ref, tag }` would still be read by its digest (the digest wins), so every
 * reference built here starts from this.
 *
 * @param ref - a repository or image reference.
 * @returns `{ registry, repository }`.
 */
export function repositoryOf(ref: RepositoryReference): RepositoryReference {
  return { registry: ref.registry, repository: ref.repository };
}

/** The legacy cosign signature tag of a digest: `sha256-<hex>.sig`. */
export function cosignSignatureTag(digest: string): string {
  return `${referrersTag(digest)}.sig`;
}

/** Reads a manifest, or undefined when the registry says it does not exist. */
export async function getManifestIfExists(client: SignatureRegistry, ref: ImageReference) {
  try {
    return await client.getManifest(ref);
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

async function copyBlob(client: SignatureRegistry, src: RepositoryReference, dst: RepositoryReference, digest: string): Promise<void> {
  if (await client.headBlob(dst, digest)) return;
  if (await client.mountBlob(dst, digest, src)) return;
  const bytes = await client.getBlob(src, digest);
  await client.putBlob(dst, bytes, digest);
}

async function copyManifestBlobs(client: SignatureRegistry, src: RepositoryReference, dst: RepositoryReference, manifest: ManifestJson) {
  if (manifest.config) await copyBlob(client, src, dst, manifest.config.digest);
  for (const layer of manifest.layers ?? []) await copyBlob(client, src, dst, layer.digest);
}

/**
 * Adds a referrer descriptor to the `sha256-<hex>` referrers tag index (the fallback schema for
 * registries without the referrers API; harmless on registries that have it).
 */
async function addToReferrersIndex(client: SignatureRegistry, repo: RepositoryReference, subjectDigest: string, descriptor: Descriptor) {
  const tag = referrersTag(subjectDigest);
  const existing = await getManifestIfExists(client, { ...repo, tag });
  const index: ManifestJson & { schemaVersion: number } = existing
    ? parseJson(existing.bytes, `referrers index ${tag}`)
    : { schemaVersion: 2, mediaType: MediaTypes.OCI_INDEX, manifests: [] };
  const manifests = index.manifests ?? [];
  if (manifests.some((m) => m.digest === descriptor.digest)) return;
  index.manifests = [...manifests, descriptor];
  await client.putManifest(repo, tag, { bytes: new TextEncoder().encode(JSON.stringify(index)), mediaType: MediaTypes.OCI_INDEX });
}

/** What {@link copySignatures} copied. */
export interface CopiedSignatures {
  /** The legacy `.sig` tag, when there was one. */
  signatureTag?: string;
  /** Digests of the referrer manifests copied. */
  referrers: string[];
}

/**
 * Copies an image's signatures to another repository (a cross-repository promotion), so that
 * the promoted image still verifies there: the legacy `sha256-<hex>.sig` manifest with its
 * blobs, and every bundle referrer (pushed by digest, and listed in the destination's
 * `sha256-<hex>` referrers index).
 *
 * @param client - a registry client with push access to `dst`.
 * @param source - the repository the image was signed in (a tag or digest in it is ignored).
 * @param destination - the repository the image was promoted to (a tag or digest in it is ignored).
 * @param digest - the image digest.
 * Discovery is one round trip (the `.sig` tag, the referrers API and the referrers tag at once), so that
 * beside a cross-repository copy it adds none to a promotion without signatures.
 * @returns what was copied.
 * @throws RegistryError when a read or write fails; what was copied before stays.
 */
export async function copySignatures(
  client: SignatureRegistry,
  source: RepositoryReference,
  destination: RepositoryReference,
  digest: string,
): Promise<CopiedSignatures> {
  // The source is often the promoted image's reference, digest included: read the `.sig` tag, not it.
  const src = repositoryOf(source);
  const dst = repositoryOf(destination);
  const copied: CopiedSignatures = { referrers: [] };
  const sigTag = cosignSignatureTag(digest);
  // Discovery in one round trip: the `.sig` tag, the referrers API and the referrers tag at once.
  const [sigRead, referrersRead] = await Promise.allSettled([
    getManifestIfExists(client, { ...src, tag: sigTag }),
    client.referrers(src, digest, { artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE, tagSchemaAtOnce: true }),
  ]);
  if (sigRead.status === 'rejected') throw sigRead.reason;
  if (referrersRead.status === 'rejected') throw referrersRead.reason;
  const sig = sigRead.value;
  // The legacy signature and the bundle referrers are independent artifacts: copied side by side. The
  // referrers go one after another, since each adds itself to the destination's referrers index.
  const copySig = async (): Promise<void> => {
    if (!sig) return;
    await copyManifestBlobs(client, src, dst, parseJson<ManifestJson>(sig.bytes, `signature manifest ${sigTag}`));
    await client.putManifest(dst, sigTag, { bytes: sig.bytes, mediaType: sig.mediaType });
    copied.signatureTag = sigTag;
  };
  const copyReferrers = async (): Promise<void> => {
    for (const referrer of referrersRead.value) {
      const raw = await client.getManifest({ ...src, digest: referrer.digest });
      const manifest = parseJson<ManifestJson>(raw.bytes, `referrer ${referrer.digest}`);
      await copyManifestBlobs(client, src, dst, manifest);
      await client.putManifest(dst, raw.digest, { bytes: raw.bytes, mediaType: raw.mediaType });
      await addToReferrersIndex(client, dst, digest, { ...referrer, mediaType: raw.mediaType, digest: raw.digest, size: raw.bytes.length });
      copied.referrers.push(raw.digest);
    }
  };
  // Both settle before a failure is reported: no write is still running when the caller reports.
  const results = await Promise.allSettled([copySig(), copyReferrers()]);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return copied;
}

/**
 * Attaches a Sigstore bundle to an image as an OCI referrer, in the shape `@sigstore/oci` and
 * `actions/attest` write: an empty config, one layer of the bundle JSON, `subject` = the image,
 * then lists it in the `sha256-<hex>` referrers index for registries without the referrers API.
 *
 * @param client - a registry client with push access.
 * @param imageRepo - the image's repository (a tag or digest in it is ignored).
 * @param subject - the image manifest descriptor (media type, digest, size).
 * @param bundleJson - the bundle, serialized (`bundleToJSON`) or as its exact JSON bytes.
 * @param options - `annotations` added to the referrer manifest (e.g. `org.opencontainers.image.created`).
 * @returns the referrer manifest's descriptor.
 * @throws ConfigurationError when the bundle is not JSON; RegistryError when a push fails.
 */
export async function attachBundle(
  client: SignatureRegistry,
  imageRepo: RepositoryReference,
  subject: Descriptor,
  bundleJson: unknown,
  options: { annotations?: Record<string, string> } = {},
): Promise<Descriptor> {
  const repo = repositoryOf(imageRepo);
  let bytes: Uint8Array;
  if (bundleJson instanceof Uint8Array) {
    bytes = bundleJson;
  } else if (typeof bundleJson === 'object' && bundleJson !== null) {
    bytes = new TextEncoder().encode(JSON.stringify(bundleJson));
  } else {
    throw new ConfigurationError('INVALID_INPUT', 'attach bundle: the bundle must be a JSON object');
  }
  const parsed = parseJson<{ mediaType?: unknown; dsseEnvelope?: { payload?: string } }>(bytes, 'bundle');
  const bundleMediaType = typeof parsed.mediaType === 'string' ? parsed.mediaType : SIGSTORE_BUNDLE_V03_MEDIA_TYPE;
  const annotations: Record<string, string> = {
    'dev.sigstore.bundle.content': parsed.dsseEnvelope ? 'dsse-envelope' : 'message-signature',
    ...(options.annotations ?? {}),
  };
  if (parsed.dsseEnvelope?.payload) {
    try {
      const statement = JSON.parse(Buffer.from(parsed.dsseEnvelope.payload, 'base64').toString('utf8')) as { predicateType?: unknown };
      if (typeof statement.predicateType === 'string') annotations['dev.sigstore.bundle.predicateType'] = statement.predicateType;
    } catch {
      // not an in-toto statement: no predicate annotation
    }
  }
  const config = await client.putBlob(repo, EMPTY_CONFIG);
  const layer = await client.putBlob(repo, bytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.OCI_MANIFEST,
    artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    config: { mediaType: MediaTypes.OCI_EMPTY, digest: config.digest, size: config.size },
    layers: [{ mediaType: bundleMediaType, digest: layer.digest, size: layer.size }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  const digest = computeDigest(manifestBytes);
  await client.putManifest(repo, digest, { bytes: manifestBytes, mediaType: MediaTypes.OCI_MANIFEST });
  const descriptor: Descriptor = {
    mediaType: MediaTypes.OCI_MANIFEST,
    digest,
    size: manifestBytes.length,
    artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    annotations,
  };
  await addToReferrersIndex(client, repo, subject.digest, descriptor);
  return descriptor;
}
