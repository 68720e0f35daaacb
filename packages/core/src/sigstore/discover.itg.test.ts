import {
  clientFor,
  createSigstoreMock,
  pushBundle,
  pushImage,
  pushLegacySignatures,
  startRegistry,
  type RunningRegistry,
  type SigstoreMock,
} from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { discoverSignatures, verifyImage } from './discover.js';
import { copySignatures, cosignSignatureTag } from './storage.js';
import { SignatureVerificationError, type SignaturePolicy } from './types.js';

const IDENTITY = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
const ISSUER = 'https://token.actions.githubusercontent.com';
const POLICY: SignaturePolicy = { certificateIdentity: IDENTITY, certificateOidcIssuer: ISSUER };

describe('verifyImage', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let sigstore: SigstoreMock;
  let requests = 0;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  beforeAll(async () => {
    [registry, sigstore] = await Promise.all([startRegistry({ auth: 'htpasswd' }), createSigstoreMock()]);
    client = clientFor(registry, { onRequest: () => void requests++ });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  describe('when an image has a legacy cosign signature and a bundle referrer', () => {
    it('finds both and verifies them against the policy', async () => {
      const image = await pushImage(client, repo('acme/app'), { tag: '1.2.3' });
      await pushLegacySignatures(client, repo('acme/app'), image.digest, [await sigstore.signLegacy(image.digest)]);
      const referrer = await pushBundle(
        client,
        repo('acme/app'),
        { mediaType: image.mediaType, digest: image.digest, size: image.size! },
        await sigstore.signBundle(image.digest),
      );

      const result = await verifyImage(client, { ...repo('acme/app'), tag: '1.2.3' }, POLICY, sigstore.trust);

      expect(result.digest).toBe(image.digest);
      expect(result.signatures.map((s) => [s.format, s.source, s.signerIdentity])).toEqual([
        ['cosign-legacy', `tag ${cosignSignatureTag(image.digest)} layer 0`, IDENTITY],
        ['bundle-v0.3', `referrer ${referrer.digest}`, IDENTITY],
      ]);
    });
  });

  describe('when an image has no signature', () => {
    it('fails with NO_SIGNATURE', async () => {
      const image = await pushImage(client, repo('acme/unsigned'), { tag: '1.0.0' });
      await expect(verifyImage(client, { ...repo('acme/unsigned'), digest: image.digest }, POLICY, sigstore.trust)).rejects.toMatchObject({
        name: 'SignatureVerificationError',
        code: 'NO_SIGNATURE',
        message: `verify signatures of ${image.digest}: no signature found`,
      });
    });
  });

  describe("when another image's signature is copied onto this one", () => {
    it('fails with DIGEST_MISMATCH for that signature', async () => {
      const signed = await pushImage(client, repo('acme/copy'), { tag: 'signed' });
      const victim = await pushImage(client, repo('acme/copy'), { tag: 'victim' });
      await pushLegacySignatures(client, repo('acme/copy'), signed.digest, [await sigstore.signLegacy(signed.digest)]);
      const sig = await client.getManifest({ ...repo('acme/copy'), tag: cosignSignatureTag(signed.digest) });
      await client.putManifest(repo('acme/copy'), cosignSignatureTag(victim.digest), sig);

      const error = await verifyImage(client, { ...repo('acme/copy'), tag: 'victim' }, POLICY, sigstore.trust).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SignatureVerificationError);
      expect((error as SignatureVerificationError).failures).toEqual([
        {
          format: 'cosign-legacy',
          source: `tag ${cosignSignatureTag(victim.digest)} layer 0`,
          code: 'DIGEST_MISMATCH',
          message: `payload is for ${signed.digest}, not ${victim.digest}`,
        },
      ]);
    });
  });

  describe('when the policy is malformed', () => {
    it('throws a ConfigurationError before any request', async () => {
      const before = requests;
      await expect(
        verifyImage(client, { ...repo('acme/app'), tag: '1.2.3' }, { certificateIdentityRegexp: '(' }, sigstore.trust),
      ).rejects.toBeInstanceOf(ConfigurationError);
      expect(requests).toBe(before);
    });
  });

  describe('when an image is promoted to another repository with copySignatures', () => {
    it('still verifies in the destination repository', async () => {
      const image = await pushImage(client, repo('acme/staging'), { tag: '2.0.0' });
      await pushLegacySignatures(client, repo('acme/staging'), image.digest, [await sigstore.signLegacy(image.digest)]);
      await pushBundle(client, repo('acme/staging'), { mediaType: image.mediaType, digest: image.digest, size: image.size! }, await sigstore.signBundle(image.digest));
      const manifest = await client.getManifest({ ...repo('acme/staging'), digest: image.digest });
      for (const digest of [image.configDigest!, ...image.layerDigests!]) {
        await client.mountBlob(repo('acme/prod'), digest, repo('acme/staging'));
      }
      await client.putManifest(repo('acme/prod'), '2.0.0', manifest);

      const before = await discoverSignatures(client, repo('acme/prod'), image.digest);
      const copied = await copySignatures(client, repo('acme/staging'), repo('acme/prod'), image.digest);
      const result = await verifyImage(client, { ...repo('acme/prod'), tag: '2.0.0' }, POLICY, sigstore.trust);

      expect(before).toEqual([]);
      expect(copied.signatureTag).toBe(cosignSignatureTag(image.digest));
      expect(copied.referrers).toHaveLength(1);
      expect(result.signatures.map((s) => s.format)).toEqual(['cosign-legacy', 'bundle-v0.3']);
    });
  });
});
