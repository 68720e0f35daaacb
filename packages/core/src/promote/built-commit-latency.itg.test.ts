/**
 * The built commit's cost in round trips (issue 13, item 5): through the fault proxy with a delay on
 * every request, as in registry/latency.itg.test.ts. With `sha` given nothing is read for it; without,
 * the image config is read from the manifest promote reads anyway, beside the reads of the targets'
 * previous digests: one more request, no longer critical path when a target exists (a re-promotion of
 * `prod`). When every target is new the config read is one round trip more: its digest is in the
 * manifest, and the stamp must be named before the first write. Never a time.
 */
import { measureRoundTrips, pushImage, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, RoundTrips, RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from '../registry/client.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { promoteImage } from './promote-image.js';

const DELAY_MS = 100;
const BUILT = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

describe('promote: the built commit at 100 ms per request', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  const slow = (repository: string): RepositoryReference => ({ registry: proxy.host, repository });
  const fast = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  const measure = (action: (client: RegistryClient) => Promise<unknown>): Promise<RoundTrips> => measureRoundTrips(proxy, () => action(createRegistryClient()));

  const promoteTo = (repository: string, sha: string | undefined) => (client: RegistryClient) =>
    promoteImage(
      {
        source: { ...slow(repository), tag: 'staging' },
        destination: slow(repository),
        targets: ['prod', 'prod-{date}-{sha}'],
        ...(sha !== undefined ? { sha } : {}),
        workflowCommit: 'a'.repeat(40),
        copySignatures: false,
        dryRun: false,
        now: new Date('2026-11-29T00:00:00Z'),
      },
      {
        client,
        copyImage: async () => {
          throw new Error('same repository: no copy');
        },
        copySignatures: async () => {
          throw new Error('same repository: no copy');
        },
      },
    );

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy({ upstream: registry.url, rules: [{ path: /./, fault: { kind: 'delay', ms: DELAY_MS } }] });
    const seeder = createRegistryClient();
    for (const repository of ['latency/sha-given', 'latency/sha-read']) {
      await pushImage(seeder, fast(repository), { tag: 'prod', seed: `${repository}-previous` });
      await pushImage(seeder, fast(repository), { tag: 'staging', labels: { 'org.opencontainers.image.revision': BUILT } });
    }
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  it('adds one request (the config) and nothing to the critical path of a re-promotion when the revision is read', async () => {
    const given = await measure(promoteTo('latency/sha-given', BUILT));
    const read = await measure(promoteTo('latency/sha-read', undefined));

    // Read and list at once; the HEAD of prod (beside it, the config); 2 writes at once; 2 re-reads at once.
    expect(given.requests).toHaveLength(7);
    expect(given.requests.filter((r) => r.path.includes('/blobs/'))).toEqual([]);
    expect(given.critical).toBe(4);
    expect(read.requests).toHaveLength(8);
    expect(read.requests.filter((r) => r.path.includes('/blobs/'))).toHaveLength(1);
    expect(read.critical).toBe(given.critical);
  });
});
