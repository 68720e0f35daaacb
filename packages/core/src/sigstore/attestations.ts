/**
 * Adapter: finds the legacy cosign attestations of an image, the `sha256-<hex>.att` manifest that
 * `cosign attest` (before bundles) writes: one layer per attestation, each a DSSE envelope
 * (`application/vnd.dsse.envelope.v1+json`) with its predicate type and log entry in annotations.
 * The I/O half; {@link verifySignatures} verifies the candidates like bundle referrers.
 *
 * Follows {@link https://github.com/sigstore/cosign/blob/main/specs/ATTESTATION_SPEC.md | cosign's attestation spec}.
 *
 * @packageDocumentation
 */
import { RegistryError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { referrersTag } from '../registry/types.js';
import { COSIGN_DSSE_MEDIA_TYPE, type SignatureCandidate } from './types.js';

/** Largest attestation blob read; larger layers are skipped as not attestations. */
const MAX_ATTESTATION_BLOB = 4 * 1024 * 1024;

/**
 * The tag cosign stores the attestations of a digest under: `sha256-<hex>.att`.
 *
 * @param digest - the image manifest digest, `sha256:<hex>`.
 * @returns the tag.
 */
export function cosignAttestationTag(digest: string): string {
  return `${referrersTag(digest)}.att`;
}

/**
 * Finds the legacy cosign attestations of an image: the DSSE layers of its `sha256-<hex>.att`
 * manifest. Pass them to {@link verifySignatures} together with the signatures
 * ({@link discoverSignatures}); an SLSA provenance among them satisfies `policy.provenance`.
 *
 * @param client - a registry client (see `createRegistryClient`); only `getManifest` and `getBlob` are used.
 * @param repo - the image's repository.
 * @param digest - the image manifest digest, `sha256:<hex>`.
 * @returns the candidates (format `cosign-attestation`); `[]` when there is no `.att` tag.
 * @throws RegistryError when the registry fails (a missing `.att` tag is not an error), or the
 *   `.att` manifest is not JSON.
 * @example
 * ```ts
 * const candidates = [...await discoverSignatures(client, repo, digest), ...await discoverLegacyAttestations(client, repo, digest)];
 * verifySignatures(candidates, { digest }, { publicKey, provenance: {} }, trust);
 * ```
 */
export async function discoverLegacyAttestations(
  client: Pick<RegistryClient, 'getManifest' | 'getBlob'>,
  repo: RepositoryReference,
  digest: string,
): Promise<SignatureCandidate[]> {
  const tag = cosignAttestationTag(digest);
  let raw;
  try {
    raw = await client.getManifest({ ...repo, tag });
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'NOT_FOUND') return [];
    throw error;
  }
  let manifest: { layers?: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[] };
  try {
    manifest = JSON.parse(Buffer.from(raw.bytes).toString('utf8')) as typeof manifest;
  } catch (cause) {
    throw new RegistryError('REGISTRY_ERROR', `read attestation manifest ${tag}: not JSON`, { cause });
  }
  const candidates: SignatureCandidate[] = [];
  for (const [i, layer] of (Array.isArray(manifest.layers) ? manifest.layers : []).entries()) {
    if (layer?.mediaType !== COSIGN_DSSE_MEDIA_TYPE || typeof layer.size !== 'number' || layer.size > MAX_ATTESTATION_BLOB) continue;
    const envelope = await client.getBlob(repo, layer.digest);
    candidates.push({
      format: 'cosign-attestation',
      source: `tag ${tag} layer ${i}`,
      mediaType: layer.mediaType,
      envelope,
      annotations: { ...(layer.annotations ?? {}) },
    });
  }
  return candidates;
}
