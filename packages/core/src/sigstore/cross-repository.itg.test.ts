import { clientFor, createSigstoreMock, pushImage, pushIndex, pushLegacySignatures, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry, SeededImage, SigstoreMock } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promote } from '../promote/promote.js';
import type { CopyImage } from '../promote/promote.js';
import type { RegistryClient } from '../registry/client.js';
import { copyImage } from '../registry/copy.js';
import type { ImageReference, RepositoryReference } from '../registry/reference.js';
import { verifyImage } from './discover.js';
import { copySignatures, cosignSignatureTag } from './storage.js';

/**
 * Issue 11 item 6: promote with `source: sha256:…` into another repository must copy the legacy
 * `.sig` manifest, not write the image (or index) under the destination's `sha256-<hex>.sig` tag.
 */
describe('copySignatures during a cross-repository promotion', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let sigstore: SigstoreMock;
  let key: ReturnType<SigstoreMock['generateKey']>;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  /** The copy step promote's action runs: image and signatures side by side. */
  const copyWithSignatures: CopyImage = async (c, source, destination, root) => {
    const [figures] = await Promise.all([copyImage(c, source, destination, root), copySignatures(c, source, destination, root.digest)]);
    return figures;
  };

  beforeAll(async () => {
    [registry, sigstore] = await Promise.all([startRegistry({ auth: 'htpasswd' }), createSigstoreMock()]);
    client = clientFor(registry);
    key = sigstore.generateKey();
  });

  afterAll(async () => {
    await registry?.stop();
  });

  const cases: { name: string; push: (c: RegistryClient, r: RepositoryReference, tag: string) => Promise<SeededImage>; by: 'tag' | 'digest' }[] = [
    { name: 'a single image by digest', push: (c, r, tag) => pushImage(c, r, { tag }), by: 'digest' },
    { name: 'a single image by tag', push: (c, r, tag) => pushImage(c, r, { tag }), by: 'tag' },
    { name: 'an index by digest', push: (c, r, tag) => pushIndex(c, r, { tag }), by: 'digest' },
    { name: 'an index by tag', push: (c, r, tag) => pushIndex(c, r, { tag }), by: 'tag' },
  ];

  describe.each(cases)('when the source is $name', ({ name, push, by }) => {
    it('writes the signature manifest under the destination .sig tag and the destination verifies with the same key', async () => {
      const slug = name.replace(/\W+/g, '-');
      const staging = repo(`acme/staging-${slug}`);
      const prod = repo(`acme/prod-${slug}`);
      const image = await push(client, staging, '1.0.0');
      await pushLegacySignatures(client, staging, image.digest, [await sigstore.signLegacy(image.digest, { key })]);
      const sourceSig = await client.getManifest({ ...staging, tag: cosignSignatureTag(image.digest) });
      const source: ImageReference = by === 'digest' ? { ...staging, digest: image.digest } : { ...staging, tag: '1.0.0' };

      const report = await promote({ client, source, destination: prod, targets: ['1.0.0', 'prod'], copyImage: copyWithSignatures });

      expect(report.targets.map((t) => [t.tag, t.after, t.status])).toEqual([
        ['1.0.0', image.digest, 'written'],
        ['prod', image.digest, 'written'],
      ]);
      const destinationSig = await client.getManifest({ ...prod, tag: cosignSignatureTag(image.digest) });
      expect(destinationSig.digest).toBe(sourceSig.digest);
      const result = await verifyImage(client, { ...prod, tag: 'prod' }, { publicKey: key.publicKeyPem }, sigstore.trust);
      expect(result.signatures.map((s) => s.format)).toEqual(['cosign-legacy']);
    });
  });

  describe('when copySignatures is given the source image reference with its digest', () => {
    it('copies the .sig manifest, not the image', async () => {
      const staging = repo('acme/staging-direct');
      const prod = repo('acme/prod-direct');
      const image = await pushImage(client, staging, { tag: '1.0.0' });
      await pushLegacySignatures(client, staging, image.digest, [await sigstore.signLegacy(image.digest, { key })]);
      const sourceSig = await client.getManifest({ ...staging, tag: cosignSignatureTag(image.digest) });
      await copyImage(client, staging, prod, await client.getManifest({ ...staging, digest: image.digest }), { writeRoot: true });

      const copied = await copySignatures(client, { ...staging, digest: image.digest } as RepositoryReference, { ...prod, digest: image.digest } as RepositoryReference, image.digest);

      expect(copied.signatureTag).toBe(cosignSignatureTag(image.digest));
      expect((await client.getManifest({ ...prod, tag: cosignSignatureTag(image.digest) })).digest).toBe(sourceSig.digest);
      const result = await verifyImage(client, { ...prod, digest: image.digest }, { publicKey: key.publicKeyPem }, sigstore.trust);
      expect(result.signatures.map((s) => s.format)).toEqual(['cosign-legacy']);
    });
  });
});
