/**
 * Pushes signatures made by {@link createSigstoreMock} to a real registry, in the shapes cosign
 * writes: a legacy `sha256-<hex>.sig` manifest (simple-signing layers with annotations), and a
 * Sigstore bundle v0.3 referrer (through core's `attachBundle`, referrers tag schema included).
 */
import { attachBundle, computeDigest, cosignSignatureTag, MediaTypes, type Descriptor, type RegistryClient, type RepositoryReference, type SignatureCandidate } from '@tagwright/core';

type LegacySignature = Extract<SignatureCandidate, { format: 'cosign-legacy' }>;

interface SigManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: (Descriptor & { annotations?: Record<string, string> })[];
}

/**
 * Adds legacy cosign signature layers to the image's `sha256-<hex>.sig` manifest (created when
 * absent, appended to otherwise, as `cosign sign` does).
 *
 * @returns the digest of the `.sig` manifest.
 */
export async function pushLegacySignatures(
  client: RegistryClient,
  repo: RepositoryReference,
  digest: string,
  signatures: readonly LegacySignature[],
): Promise<string> {
  const tag = cosignSignatureTag(digest);
  let manifest: SigManifest | undefined;
  try {
    const existing = await client.getManifest({ ...repo, tag });
    manifest = JSON.parse(Buffer.from(existing.bytes).toString('utf8')) as SigManifest;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'NOT_FOUND') throw error;
  }
  const layers = [...(manifest?.layers ?? [])];
  for (const signature of signatures) {
    const blob = await client.putBlob(repo, signature.payload);
    layers.push({ mediaType: signature.mediaType, digest: blob.digest, size: blob.size, annotations: { ...signature.annotations } });
  }
  const config = new TextEncoder().encode(
    JSON.stringify({ architecture: '', config: {}, created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }),
  );
  const configBlob = await client.putBlob(repo, config);
  const next: SigManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.OCI_MANIFEST,
    config: { mediaType: MediaTypes.OCI_CONFIG, digest: configBlob.digest, size: configBlob.size },
    layers,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(next));
  await client.putManifest(repo, tag, { bytes, mediaType: MediaTypes.OCI_MANIFEST });
  return computeDigest(bytes);
}

/**
 * Attaches a Sigstore bundle to an image as a referrer (see core `attachBundle`).
 *
 * @param subject - the image manifest descriptor (media type, digest, size), e.g. from `resolveDigest`.
 */
export async function pushBundle(
  client: RegistryClient,
  repo: RepositoryReference,
  subject: Descriptor,
  bundle: Record<string, unknown>,
): Promise<Descriptor> {
  return attachBundle(client, repo, subject, bundle);
}
