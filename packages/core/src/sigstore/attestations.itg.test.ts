import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  createSigstoreMock,
  pushImage,
  pushLegacyAttestations,
  pushLegacySignatures,
  signLegacyAttestation,
  startForgejoStyleRegistry,
  type RunningRegistry,
  type SigstoreMock,
} from '@tagwright/testkit';
import { discoverLegacyAttestations } from './attestations.js';
import { discoverSignatures, verifyImage } from './discover.js';
import { SLSA_PROVENANCE_V1, SignatureVerificationError } from './types.js';
import { verifySignatures } from './verify.js';

const PREDICATE = { runDetails: { builder: { id: 'https://code.example/acme/app/.forgejo/workflows/release.yml' } } };

describe('discoverLegacyAttestations', () => {
  let registry: RunningRegistry;
  let sigstore: SigstoreMock;
  beforeAll(async () => {
    [registry, sigstore] = await Promise.all([startForgejoStyleRegistry({ owner: 'acme' }), createSigstoreMock()]);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  describe('when an image on a Forgejo-style registry is key-signed without a log entry, with provenance in .att', () => {
    it('finds both, and they verify only with insecureIgnoreTlog, provenance included', async () => {
      const client = clientFor(registry);
      const repo = { registry: registry.host, repository: 'acme/app' };
      const image = await pushImage(client, repo, { tag: 'v0.1.0' });
      const key = sigstore.generateKey();
      await pushLegacySignatures(client, repo, image.digest, [await sigstore.signLegacy(image.digest, { key, tlog: false, tsa: false })]);
      await pushLegacyAttestations(client, repo, image.digest, [signLegacyAttestation(image.digest, key.privateKey, { predicate: PREDICATE })]);

      const candidates = [...(await discoverSignatures(client, repo, image.digest)), ...(await discoverLegacyAttestations(client, repo, image.digest))];
      expect(candidates.map((c) => [c.format, c.source])).toEqual([
        ['cosign-legacy', `tag sha256-${image.digest.slice(7)}.sig layer 0`],
        ['cosign-attestation', `tag sha256-${image.digest.slice(7)}.att layer 0`],
      ]);

      const policy = { publicKey: key.publicKeyPem, provenance: { builderId: PREDICATE.runDetails.builder.id } };
      const refused = (() => {
        try {
          verifySignatures(candidates, { digest: image.digest }, policy, sigstore.trust);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(refused).toBeInstanceOf(SignatureVerificationError);
      expect(refused).toMatchObject({ code: 'NO_LOG_ENTRY' });
      expect((refused as Error).message).toMatch(/insecure-ignore-tlog/);

      const result = verifySignatures(candidates, { digest: image.digest }, { ...policy, insecureIgnoreTlog: true }, sigstore.trust);
      expect(result.signatures.map((s) => [s.format, s.predicateType, s.policyMatched])).toEqual([
        ['cosign-legacy', undefined, ['signature', 'publicKey', 'digest']],
        ['cosign-attestation', SLSA_PROVENANCE_V1, ['signature', 'publicKey', 'digest', 'provenance']],
      ]);
    });

    it('is part of verifyImage: provenance in .att satisfies the policy', async () => {
      const client = clientFor(registry);
      const repo = { registry: registry.host, repository: 'acme/verified' };
      const image = await pushImage(client, repo, { tag: 'v0.1.0' });
      const key = sigstore.generateKey();
      await pushLegacySignatures(client, repo, image.digest, [await sigstore.signLegacy(image.digest, { key, tlog: false, tsa: false })]);
      const policy = { publicKey: key.publicKeyPem, insecureIgnoreTlog: true, provenance: { builderId: PREDICATE.runDetails.builder.id } };
      // Without the .att, provenance is missing.
      await expect(verifyImage(client, { ...repo, tag: 'v0.1.0' }, policy, sigstore.trust)).rejects.toThrow(SignatureVerificationError);
      await pushLegacyAttestations(client, repo, image.digest, [signLegacyAttestation(image.digest, key.privateKey, { predicate: PREDICATE })]);
      const result = await verifyImage(client, { ...repo, tag: 'v0.1.0' }, policy, sigstore.trust);
      expect(result.signatures.map((s) => s.format)).toEqual(['cosign-legacy', 'cosign-attestation']);
      expect(result.signatures[1]?.predicateType).toBe(SLSA_PROVENANCE_V1);
    });

    it('finds nothing when there is no .att tag', async () => {
      const client = clientFor(registry);
      const repo = { registry: registry.host, repository: 'acme/bare' };
      const image = await pushImage(client, repo, { tag: 'v1' });
      expect(await discoverLegacyAttestations(client, repo, image.digest)).toEqual([]);
    });
  });
});
