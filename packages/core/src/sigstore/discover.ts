/**
 * Adapter: finds the signatures of an image in a registry (legacy cosign `sha256-<hex>.sig`
 * tags and Sigstore bundle v0.3 referrers), copies them along with a promoted image, and
 * attaches bundles as referrers. The I/O half of verification; {@link verifySignatures} is
 * the pure half.
 *
 * Follows {@link https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md | cosign's signature spec}
 * and {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers | OCI referrers}
 * (with the `sha256-<hex>` referrers tag schema for registries without the API).
 *
 * @packageDocumentation
 */
import type { ImageReference, RepositoryReference } from '../registry/reference.js';
import { referrersTag } from '../registry/types.js';
import { discoverLegacyAttestations } from './attestations.js';
import { compilePolicy, type CompiledPolicy } from './policy.js';
import { cosignSignatureTag, getManifestIfExists, parseJson, repositoryOf } from './storage.js';
import type { ManifestJson, SignatureRegistry } from './storage.js';
import type { SigstoreTrust } from './trust.js';
import { SIGSTORE_BUNDLE_V03_MEDIA_TYPE, type SignatureCandidate, type SignaturePolicy, type VerificationResult } from './types.js';
import { verifySignatures } from './verify.js';

/** Largest signature blob read (a payload or a bundle); larger layers are skipped as not signatures. */
const MAX_SIGNATURE_BLOB = 4 * 1024 * 1024;

/**
 * Finds every signature of an image: the layers of its legacy `sha256-<hex>.sig` manifest and
 * its Sigstore bundle v0.3 referrers (referrers API, or the `sha256-<hex>` tag schema).
 *
 * @param client - a registry client (see {@link createRegistryClient}).
 * @param imageRepo - the image's repository (a tag or digest in it is ignored).
 * @param digest - the image manifest digest, `sha256:<hex>`.
 * @returns the candidates, as data for {@link verifySignatures}; `[]` when none.
 * @throws RegistryError when the registry fails (a missing `.sig` tag is not an error).
 */
export async function discoverSignatures(
  client: SignatureRegistry,
  imageRepo: RepositoryReference,
  digest: string,
): Promise<SignatureCandidate[]> {
  const repo = repositoryOf(imageRepo);
  const candidates: SignatureCandidate[] = [];
  const sigTag = cosignSignatureTag(digest);
  const sig = await getManifestIfExists(client, { ...repo, tag: sigTag });
  if (sig) {
    const manifest = parseJson<ManifestJson>(sig.bytes, `signature manifest ${sigTag}`);
    for (const [i, layer] of (manifest.layers ?? []).entries()) {
      if (layer.size > MAX_SIGNATURE_BLOB) continue;
      const payload = await client.getBlob(repo, layer.digest);
      candidates.push({
        format: 'cosign-legacy',
        source: `tag ${sigTag} layer ${i}`,
        mediaType: layer.mediaType,
        payload,
        annotations: { ...(layer.annotations ?? {}) },
      });
    }
  }
  const referrers = await client.referrers(repo, digest, { artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE });
  for (const referrer of referrers) {
    const raw = await client.getManifest({ ...repo, digest: referrer.digest });
    const manifest = parseJson<ManifestJson>(raw.bytes, `referrer ${referrer.digest}`);
    // A stale fallback index could list a manifest for another subject: skip it.
    if (manifest.subject && manifest.subject.digest !== digest) continue;
    for (const layer of manifest.layers ?? []) {
      if (!layer.mediaType.startsWith('application/vnd.dev.sigstore.bundle') || layer.size > MAX_SIGNATURE_BLOB) continue;
      const blob = await client.getBlob(repo, layer.digest);
      let bundle: unknown;
      try {
        bundle = JSON.parse(Buffer.from(blob).toString('utf8'));
      } catch {
        bundle = undefined; // verifySignatures reports it as a malformed bundle
      }
      candidates.push({ format: 'bundle-v0.3', source: `referrer ${referrer.digest}`, bundle });
    }
  }
  return candidates;
}

/**
 * Discovers and verifies the signatures of an image: the policy is checked first (bad input
 * fails before any request), then the digest is resolved, signatures fetched (the `.sig` tag, the
 * bundle referrers and cosign's legacy `sha256-<hex>.att` attestations, see
 * {@link discoverLegacyAttestations}), and {@link verifySignatures} runs over them.
 *
 * @param client - a registry client.
 * @param ref - the image; a tag is resolved to its digest first.
 * @param policy - the signature policy.
 * @param trust - trust material loaded once with {@link loadTrust}.
 * @returns the verification result.
 * @throws ConfigurationError for a malformed policy; SignatureVerificationError when no signature
 *   satisfies it (`failures` per signature); RegistryError when the registry fails.
 * @example
 * ```ts
 * const client = createRegistryClient({ keychain });
 * const trust = await loadTrust({ instance: 'public-good' });
 * const result = await verifyImage(client, parseReference('ghcr.io/acme/app:1.2.3'), {
 *   certificateIdentity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3',
 *   certificateOidcIssuer: 'https://token.actions.githubusercontent.com',
 * }, trust);
 * ```
 */
export async function verifyImage(
  client: SignatureRegistry,
  ref: ImageReference,
  policy: SignaturePolicy | CompiledPolicy,
  trust: SigstoreTrust,
): Promise<VerificationResult> {
  const compiled = 'kind' in policy ? policy : compilePolicy(policy);
  const repo = { registry: ref.registry, repository: ref.repository };
  const digest = ref.digest ?? (await client.resolveDigest(ref)).digest;
  const candidates = [...(await discoverSignatures(client, repo, digest)), ...(await discoverLegacyAttestations(client, repo, digest))];
  return verifySignatures(candidates, { digest }, compiled, trust);
}
