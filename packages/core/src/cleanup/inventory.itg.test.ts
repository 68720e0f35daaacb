import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, pushIndex, pushImage, pushReferrer, startGitHubApi, startRegistry } from '@tagwright/testkit';
import type { GitHubApi, RunningRegistry } from '@tagwright/testkit';
import { createGitHubClient } from '../github/client.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { MediaTypes, computeDigest } from '../registry/types.js';
import { gatherGhcrInventory, gatherReferrers, gatherRegistryInventory } from './inventory.js';
import { planRetention } from '../retention/plan.js';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** An OCI image whose creation time is in the config, the annotation, or nowhere. */
async function pushDated(
  client: RegistryClient,
  repo: RepositoryReference,
  tag: string,
  created: { config?: string; annotation?: string },
): Promise<string> {
  const layer = await client.putBlob(repo, encode({ tag }));
  const config = await client.putBlob(repo, encode({ architecture: 'amd64', os: 'linux', ...(created.config ? { created: created.config } : {}), rootfs: { type: 'layers', diff_ids: [layer.digest] } }));
  const bytes = encode({
    schemaVersion: 2,
    mediaType: MediaTypes.OCI_MANIFEST,
    config: { mediaType: MediaTypes.OCI_CONFIG, digest: config.digest, size: config.size },
    layers: [{ mediaType: MediaTypes.OCI_LAYER, digest: layer.digest, size: layer.size }],
    ...(created.annotation ? { annotations: { 'org.opencontainers.image.created': created.annotation } } : {}),
  });
  await client.putManifest(repo, tag, { bytes, mediaType: MediaTypes.OCI_MANIFEST });
  return computeDigest(bytes);
}

describe('gatherRegistryInventory', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  describe('when a repository holds images, an index, a legacy signature and a referrer', () => {
    it('reads tags, digests, index children, referrers and creation times', async () => {
      const app = repo('gather/app');
      const fromConfig = await pushDated(client, app, 'sha-1111111', { config: '2026-03-01T10:00:00Z' });
      const fromAnnotation = await pushDated(client, app, 'sha-2222222', { config: '2020-01-01T00:00:00Z', annotation: '2026-03-02T10:00:00Z' });
      const undated = await pushDated(client, app, 'sha-3333333', {});
      const index = await pushIndex(client, app, { tag: 'sha-4444444', seed: 'gather index' });
      const sigTag = `${fromConfig.replace(':', '-')}.sig`;
      const sig = await pushImage(client, app, { tag: sigTag, seed: 'a signature' });
      const referrer = await pushReferrer(client, app, { digest: fromConfig, mediaType: MediaTypes.OCI_MANIFEST, size: 1 }, { artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' });

      const { inventory, warnings } = await gatherRegistryInventory({ client, repo: app });

      expect(warnings).toEqual([]);
      const byTag = new Map(inventory.tags.map((entry) => [entry.tag, entry]));
      expect(byTag.get('sha-1111111')).toEqual({ tag: 'sha-1111111', digest: fromConfig, created: new Date('2026-03-01T10:00:00Z') });
      expect(byTag.get('sha-2222222')?.created).toEqual(new Date('2026-03-02T10:00:00Z'));
      expect(byTag.get('sha-3333333')).toEqual({ tag: 'sha-3333333', digest: undated });
      // pushImage writes `created: 2026-01-01T00:00:00Z` in each child's config.
      expect(byTag.get('sha-4444444')?.created).toEqual(new Date('2026-01-01T00:00:00Z'));
      expect(byTag.get(sigTag)).toEqual({ tag: sigTag, digest: sig.digest });
      expect(inventory.indexes?.[index.digest]).toEqual(index.childDigests);
      expect(inventory.referrers).toEqual([{ subjectDigest: fromConfig, digest: referrer.digest, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }]);
      expect(inventory.unreadable).toEqual([]);
      const fallback = inventory.indexes?.[byTag.get(fromConfig.replace(':', '-'))?.digest ?? ''];
      expect(fallback).toEqual([referrer.digest]);
    });

    it('reads no creation time the policy does not need', async () => {
      const app = repo('gather/lazy');
      await pushDated(client, app, '1.0.0', { config: '2026-03-01T10:00:00Z' });

      const { inventory } = await gatherRegistryInventory({ client, repo: app, needsCreated: (tag) => tag.startsWith('sha-') });

      expect(inventory.tags).toEqual([{ tag: '1.0.0', digest: expect.stringMatching(/^sha256:/) }]);
    });
  });

  describe('when a manifest cannot be read', () => {
    it('lists it as unreadable, and the planner then deletes nothing', async () => {
      const app = repo('gather/broken');
      await pushDated(client, app, 'sha-aaaaaaa', { config: '2026-03-01T10:00:00Z' });
      await pushDated(client, app, 'sha-bbbbbbb', { config: '2026-03-02T10:00:00Z' });
      const vanishing = {
        ...client,
        getManifest: async (ref: Parameters<RegistryClient['getManifest']>[0]) => {
          if (ref.tag === 'sha-bbbbbbb') throw Object.assign(new Error('manifest unknown'), { code: 'NOT_FOUND' });
          return client.getManifest(ref);
        },
      } satisfies RegistryClient;

      const { inventory, warnings } = await gatherRegistryInventory({ client: vanishing, repo: app });
      const plan = planRetention({ inventory, policy: { keep: [{ pattern: 'sha-*', count: 1 }] }, canUntag: false, now: new Date('2026-11-22T00:00:00Z') });

      expect(inventory.unreadable).toEqual(['tag sha-bbbbbbb']);
      expect(warnings).toEqual(['could not read tag sha-bbbbbbb: manifest unknown']);
      expect(plan.delete).toEqual([]);
      expect(plan.skipped).toContain('could not be read');
    });
  });

  describe('when the referrers of what a plan deletes are looked up', () => {
    it('answers from the listing held when the registry has no referrers API (404): the fallback index was read with the tags', async () => {
      const app = repo('gather/referrers');
      const subject = await pushDated(client, app, 'sha-ccccccc', { config: '2026-03-01T10:00:00Z' });
      const unsigned = await pushDated(client, app, 'sha-ddddddd', { config: '2026-03-02T10:00:00Z' });
      const referrer = await pushReferrer(client, app, { digest: subject, mediaType: MediaTypes.OCI_MANIFEST, size: 1 }, { artifactType: 'application/spdx+json' });
      const { inventory } = await gatherRegistryInventory({ client, repo: app });
      const expected = [{ subjectDigest: subject, digest: referrer.digest, artifactType: 'application/spdx+json' }];
      expect(inventory.referrers).toEqual(expected);

      const { inventory: withReferrers } = await gatherReferrers(client, app, inventory, [subject, unsigned]);
      expect(withReferrers.referrers).toEqual(expected);

      // A fallback tag pushed after the listing is not looked up here: the re-listing before each delete
      // sees the new tag and plans again.
      const listedBefore = { ...inventory, tags: inventory.tags.filter((entry) => entry.tag.startsWith('sha-')), referrers: [], indexes: {} };
      const { inventory: fromListing } = await gatherReferrers(client, app, listedBefore, [subject]);
      expect(fromListing.referrers).toEqual([]);
    });
  });
});

describe('gatherGhcrInventory', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let api: GitHubApi;

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
    api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_gather' });
  });

  afterAll(async () => {
    await api?.stop();
    await registry?.stop();
  });

  describe('when a package of an organization holds a multi-arch build', () => {
    it('finds the owner, reads versions with tags and times, and the index children', async () => {
      const repo: RepositoryReference = { registry: registry.host, repository: 'acme/app' };
      const index = await pushIndex(client, repo, { tag: 'sha-1234567', seed: 'ghcr gather' });
      for (const child of index.childDigests ?? []) {
        api.state.addPackageVersion({ org: 'acme' }, 'app', { digest: child, createdAt: '2026-02-01T00:00:00Z' });
      }
      api.state.addPackageVersion({ org: 'acme' }, 'app', { digest: index.digest, tags: ['sha-1234567', 'main'], createdAt: '2026-02-01T00:00:01Z' });
      const github = createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: api.url, throttling: false });

      const gathered = await gatherGhcrInventory({ github, owner: 'acme', packageName: 'app', client, repo });

      expect(gathered.owner).toEqual({ org: 'acme' });
      expect(gathered.inventory.tags.map((entry) => entry.tag)).toEqual(['main', 'sha-1234567']);
      expect(gathered.inventory.tags[0]?.created).toEqual(new Date('2026-02-01T00:00:01Z'));
      expect(gathered.inventory.untagged?.map((entry) => entry.digest).sort()).toEqual([...(index.childDigests ?? [])].sort());
      expect(gathered.inventory.indexes?.[index.digest]).toEqual(index.childDigests);
      expect(gathered.inventory.unreadable).toEqual([]);
      api.assertNoViolations();
    });
  });
});
