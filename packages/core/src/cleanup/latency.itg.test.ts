/**
 * Cleanup round trips: the plan of a cleanup runs through the fault proxy (a delay on every request) and
 * its requests are counted per kind. Never a time: a change that adds a round trip per digest fails here.
 */
import { measureRoundTrips, pushTinyImageBlobs, putTinyImage, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, ProxyLogEntry, RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from '../registry/client.js';
import { DEFAULT_MAX_CONCURRENCY_PER_HOST } from '../registry/transport.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { registryRetentionBackend } from './backends.js';
import { cleanup } from './cleanup.js';

const DELAY_MS = 20;

/**
 * `count` images, each under two tags (`sha-<hex>` and `pr-<n>`), image `i` created `i` minutes after
 * 2026-01-01: in its own config (`dated: 'config'`), or in the manifest annotation.
 */
async function seedTwoTagsPerDigest(client: RegistryClient, repo: RepositoryReference, count: number, dated: 'config' | 'annotation'): Promise<void> {
  const blobs = await pushTinyImageBlobs(client, repo);
  const put = async (i: number): Promise<void> => {
    const created = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
    await putTinyImage(client, repo, [`sha-${i.toString(16).padStart(7, '0')}`, `pr-${i}`], { blobs, created, createdIn: dated });
  };
  for (let i = 0; i < count; i += 20) await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, j) => put(i + j)));
}

/** The most requests a log had in flight at once. */
function inFlight(entries: readonly ProxyLogEntry[]): number {
  const events = entries.flatMap((entry): Array<[number, number]> => [
    [entry.startMs, 1],
    [entry.endMs ?? Infinity, -1],
  ]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let most = 0;
  for (const [, change] of events) {
    current += change;
    most = Math.max(most, current);
  }
  return most;
}

/** The request kinds of a log, e.g. `{ 'GET manifests': 200, 'GET blobs': 100 }`. */
function kinds(entries: readonly ProxyLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) {
    const kind = `${entry.method} ${/\/v2\/.*?\/(manifests|blobs|tags|referrers)\//.exec(entry.path)?.[1] ?? entry.path}`;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe('cleanup round trips', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let seeder: RegistryClient;
  const slow = (repository: string): RepositoryReference => ({ registry: proxy.host, repository });
  const fast = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy({ upstream: registry.url, rules: [{ path: /./, fault: { kind: 'delay', ms: DELAY_MS } }] });
    seeder = createRegistryClient();
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  /** A dry-run cleanup through the proxy keeping the 30 newest `sha-*` and `pr-*`: 70 of 100 images go. */
  async function plan(repository: string): Promise<{ requests: ProxyLogEntry[]; deleted: number }> {
    let deleted = 0;
    const { requests } = await measureRoundTrips(proxy, async () => {
      const report = await cleanup(
        {
          image: slow(repository),
          policy: { keep: [{ pattern: 'sha-*', count: 30 }, { pattern: 'pr-*', count: 30 }] },
          trigger: { mode: 'scheduled' },
          dryRun: true,
          now: new Date('2026-06-01T00:00:00Z'),
        },
        { backend: () => registryRetentionBackend({ client: createRegistryClient(), repo: slow(repository) }) },
      );
      deleted = report.plan.delete.length;
    });
    if (process.env['LATENCY_DEBUG']) console.log(kinds(requests), inFlight(requests));
    return { requests, deleted };
  }

  describe('when planning over 200 tags on 100 digests whose times are in the manifest annotation', () => {
    it('sends 2 requests per digest (one GET per tag), the listing and one referrers lookup: 202', async () => {
      await seedTwoTagsPerDigest(seeder, fast('latency/cleanup-annotated'), 100, 'annotation');
      const { requests, deleted } = await plan('latency/cleanup-annotated');
      expect(deleted).toBe(70);
      // The referrers of the 70 digests that go: the API answers 404 once, then the listing held says
      // which fallback index tags exist (none): no request per digest.
      expect(kinds(requests)).toEqual({ 'GET tags': 1, 'GET manifests': 200, 'GET referrers': 1 });
      expect(requests.length).toBeLessThanOrEqual(2 * 100 + 2);
    });
  });

  describe('when planning over 200 tags on 100 digests whose times are in their configs', () => {
    it('adds one config read per digest, and keeps the per-host bound of requests in flight', async () => {
      await seedTwoTagsPerDigest(seeder, fast('latency/cleanup-configs'), 100, 'config');
      const { requests, deleted } = await plan('latency/cleanup-configs');
      expect(deleted).toBe(70);
      expect(kinds(requests)).toEqual({ 'GET tags': 1, 'GET manifests': 200, 'GET blobs': 100, 'GET referrers': 1 });
      // The reads run DEFAULT_MAX_CONCURRENCY_PER_HOST at a time.
      expect(inFlight(requests)).toBe(DEFAULT_MAX_CONCURRENCY_PER_HOST);
    });
  });
});
