/**
 * Round trips where users feel them: every scenario runs through the fault proxy with a delay on
 * every request, and the request count and the critical path (the longest chain of requests that
 * had to wait for each other, from the proxy's log) are asserted. Never a time: a change that adds a
 * round trip fails here. The delay (100 ms, 4× the bench's 25 ms) dwarfs the scheduling jitter of a
 * loaded machine, so requests sent together overlap and are not counted as a chain.
 */
import { measureRoundTrips, pushImage, pushIndex, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, RoundTrips, RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeImageTags } from '../compute-tags/compute-tags.js';
import { ROLLBACK_AUDIT_TEMPLATE } from '../policy/index.js';
import { promote } from '../promote/promote.js';
import { promoteSet } from '../promote/promote-set.js';
import { rollback } from '../rollback/rollback.js';
import { createRegistryClient } from './client.js';
import type { RegistryClient } from './client.js';
import { copyImage } from './copy.js';
import type { RepositoryReference } from './reference.js';

const DELAY_MS = 100;
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('round trips at 100 ms per request', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let seeder: RegistryClient;
  /** Through the proxy (what is measured). */
  const slow = (repository: string): RepositoryReference => ({ registry: proxy.host, repository });
  /** Straight to the registry (seeding, not measured). */
  const fast = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  /** Runs `action` with a fresh client through the proxy; returns its requests and critical path. */
  const measure = (action: (client: RegistryClient) => Promise<unknown>): Promise<RoundTrips> => measureRoundTrips(proxy, () => action(createRegistryClient()));

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy({ upstream: registry.url, rules: [{ path: /./, fault: { kind: 'delay', ms: DELAY_MS } }] });
    seeder = createRegistryClient();
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  describe('when promoting one image to 4 tags in the same repository', () => {
    it("sends 10 requests on a critical path of 3 (read and list at once, 4 writes at once, 4 re-reads at once)", async () => {
      await pushIndex(seeder, fast('latency/retag'), { tag: 'src', layerSizes: [1000, 1000, 1000] });
      const { requests, critical } = await measure((client) =>
        promote({ client, source: { ...slow('latency/retag'), tag: 'src' }, targets: ['a', 'b', 'c', 'd'] }),
      );
      expect(requests).toHaveLength(10);
      expect(critical).toBe(3);
    });
  });

  describe('when promoting a two-platform index (3 layers each) into another repository', () => {
    it('moves no blob byte, in at most 16 requests on a critical path of at most 6', async () => {
      await pushIndex(seeder, fast('latency/staging'), { tag: '1.0.0', layerSizes: [20_000, 20_000, 20_000] });
      const { requests, critical } = await measure((client) =>
        promote({ client, source: { ...slow('latency/staging'), tag: '1.0.0' }, destination: slow('latency/production'), targets: ['1.0.0'], copyImage }),
      );
      expect(requests.length).toBeLessThanOrEqual(16);
      expect(requests.filter((r) => /\/blobs\//.test(r.path) && !r.path.includes('mount='))).toEqual([]);
      expect(critical).toBeLessThanOrEqual(6);
    });
  });

  describe('when computing the tags of 6 images, registry-aware', () => {
    it('lists the 6 repositories at once: 6 requests on a critical path of 1', async () => {
      const images = Array.from({ length: 6 }, (_, i) => slow(`latency/ct-${i}`));
      for (const [i] of images.entries()) await pushImage(seeder, fast(`latency/ct-${i}`), { tag: '1.0.0' });
      const { requests, critical } = await measure((client) =>
        computeImageTags(
          {
            images,
            policy: {
              ref: { ref: 'refs/tags/v1.2.3', sha: SHA },
              floating: { major: true, minor: true, latest: true },
              branchTags: {},
              shaTag: true,
              tagPrefix: '',
              registryAware: true,
            },
            staging: false,
            now: new Date('2026-11-29T00:00:00Z'),
          },
          { listTags: (image) => client.listTags(image) },
        ),
      );
      expect(requests).toHaveLength(6);
      expect(critical).toBe(1);
    });
  });
  describe('when promoting a release set of 6 images to X.Y.Z and latest (latest held by an older build)', () => {
    it('reads every source and listing at once: 36 requests on a critical path of at most 6 (8 in flight per host)', async () => {
      const images = Array.from({ length: 6 }, (_, i) => `latency/set-${i}`);
      for (const image of images) {
        await pushImage(seeder, fast(image), { tag: 'latest', seed: `${image}-old` });
        await pushImage(seeder, fast(image), { tag: '2.0.0', seed: `${image}-new` });
      }
      const { requests, critical } = await measure((client) =>
        promoteSet(
          { images: images.map(slow), source: { kind: 'tag', tag: '2.0.0' }, targets: ['2.0.0', 'latest'], sha: SHA, dryRun: false, now: new Date('2026-11-29T00:00:00Z') },
          { client },
        ),
      );
      // Per image: GET the source and list the tags (at once), HEAD latest (2.0.0 is the source, just
      // read), PUT latest, re-read both: 6 × 6 = 36. At 8 in flight per host that is 5 waves at the
      // least; 6 because no write starts before every image is planned (all-or-nothing).
      expect(requests).toHaveLength(36);
      expect(critical).toBeLessThanOrEqual(6);
    });
  });
  describe('when rolling back with 50 history tags', () => {
    it('reads the newest two history tags only: 9 requests on a critical path of 6', async () => {
      const repository = 'latency/rollback';
      const tags: string[] = [];
      for (let i = 0; i < 50; i++) {
        const date = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10).replace(/-/g, '');
        const tag = `prod-${date}-${i.toString(16).padStart(7, '0')}`;
        const image = await pushImage(seeder, fast(repository), { tag, seed: `build-${i}` });
        tags.push(tag);
        if (i === 49) await seeder.putManifest(fast(repository), 'prod', await seeder.getManifest({ ...fast(repository), digest: image.digest }));
      }
      const { requests, critical } = await measure((client) =>
        rollback(
          {
            image: slow(repository),
            track: 'prod',
            also: [],
            history: { pattern: 'prod-*', matches: (tag) => tag.startsWith('prod-'), stampTemplates: ['prod-{date}-{sha}'] },
            auditTemplate: ROLLBACK_AUDIT_TEMPLATE,
            dryRun: false,
            now: new Date('2026-11-29T00:00:00Z'),
          },
          { client },
        ),
      );
      // Issue 16's target: 6 round trips. (1) the track and the tag list at once; (2) the newest two
      // history tags (the current build and the one before it decide); (3) the track again right before
      // the first write; (4) the audit tag's PUT; (5) the track's PUT with the audit tag's re-read;
      // (6) the track's digest-verified re-read. No manifest is read twice.
      expect(requests.map((r) => `${r.method} ${r.path.replace(/^\/v2\/latency\/rollback\//, '')}`).sort()).toEqual(
        [
          'GET manifests/prod',
          'GET tags/list',
          'GET manifests/prod-20260219-0000031',
          'GET manifests/prod-20260218-0000030',
          'GET manifests/prod',
          'PUT manifests/prod-rollback-20261129-000000-from-0000031',
          'PUT manifests/prod',
          'HEAD manifests/prod-rollback-20261129-000000-from-0000031',
          'GET manifests/prod',
        ].sort(),
      );
      expect(critical).toBe(6);
    });
  });
});
