/**
 * Legacy cosign attestations as `cosign attest --key cosign.key --type slsaprovenance1
 * --tlog-upload=false` writes them: a DSSE envelope (in-toto statement) per layer of the image's
 * `sha256-<hex>.att` manifest, with an empty signature annotation and the predicate type.
 */
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import {
  computeDigest,
  COSIGN_DSSE_MEDIA_TYPE,
  cosignAttestationTag,
  MediaTypes,
  SLSA_PROVENANCE_V1,
  type RegistryClient,
  type RepositoryReference,
  type SignatureCandidate,
} from '@tagwright/core';

type LegacyAttestation = Extract<SignatureCandidate, { format: 'cosign-attestation' }>;

/** DSSE pre-authentication encoding ({@link https://github.com/secure-systems-lab/dsse/blob/master/protocol.md}). */
function pae(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `), payload]);
}

/**
 * Signs an in-toto statement about `digest` with a key, as a `.att` layer.
 *
 * @param options - `predicateType` (default SLSA provenance v1), `predicate`, `subjectDigest` (default `digest`).
 */
export function signLegacyAttestation(
  digest: string,
  privateKey: KeyObject,
  options: { predicateType?: string; predicate?: unknown; subjectDigest?: string } = {},
): LegacyAttestation {
  const predicateType = options.predicateType ?? SLSA_PROVENANCE_V1;
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType,
    subject: [{ name: 'registry.test/acme/app', digest: { sha256: (options.subjectDigest ?? digest).replace(/^sha256:/, '') } }],
    predicate: options.predicate ?? {},
  };
  const payloadType = 'application/vnd.in-toto+json';
  const payload = Buffer.from(JSON.stringify(statement));
  const sig = cryptoSign('sha256', pae(payloadType, payload), privateKey).toString('base64');
  return {
    format: 'cosign-attestation',
    source: `tag ${cosignAttestationTag(digest)} layer 0`,
    mediaType: COSIGN_DSSE_MEDIA_TYPE,
    envelope: Buffer.from(JSON.stringify({ payloadType, payload: payload.toString('base64'), signatures: [{ keyid: '', sig }] })),
    annotations: { 'dev.cosignproject.cosign/signature': '', predicateType },
  };
}

/**
 * Writes attestations as the image's `sha256-<hex>.att` manifest (replacing one that exists).
 *
 * @returns the digest of the `.att` manifest.
 */
export async function pushLegacyAttestations(
  client: RegistryClient,
  repo: RepositoryReference,
  digest: string,
  attestations: readonly LegacyAttestation[],
): Promise<string> {
  const layers = [];
  for (const attestation of attestations) {
    const blob = await client.putBlob(repo, attestation.envelope);
    layers.push({ mediaType: attestation.mediaType, digest: blob.digest, size: blob.size, annotations: { ...attestation.annotations } });
  }
  const config = new TextEncoder().encode(
    JSON.stringify({ architecture: '', config: {}, created: '0001-01-01T00:00:00Z', os: '', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }),
  );
  const configBlob = await client.putBlob(repo, config);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.OCI_MANIFEST,
    config: { mediaType: MediaTypes.OCI_CONFIG, digest: configBlob.digest, size: configBlob.size },
    layers,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  await client.putManifest(repo, cosignAttestationTag(digest), { bytes, mediaType: MediaTypes.OCI_MANIFEST });
  return computeDigest(bytes);
}
