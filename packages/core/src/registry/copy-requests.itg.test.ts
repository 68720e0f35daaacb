import { pushIndex, readAccessLog, startRegistry } from '@tagwright/testkit';
import type { AccessLogEntry, RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promote } from '../promote/promote.js';
import { createRegistryClient } from './client.js';
import type { RegistryClient } from './client.js';
import { copyImage } from './copy.js';
import type { RepositoryReference } from './reference.js';
import type { RequestEvent } from './transport.js';

/** `METHOD kind` for each request, e.g. `PUT manifests`, `POST blobs/uploads`. */
const shape = (method: string, url: string): string => {
  const path = new URL(url, 'http://x').pathname;
  const kind = /\/(manifests|tags\/list|blobs\/uploads|blobs)\b/.exec(path)?.[1] ?? path;
  return `${method} ${kind}`;
};
const tally = (shapes: string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const s of shapes) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
};

describe('promote request budget', () => {
  let registry: RunningRegistry;
  let seeder: RegistryClient;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  /** Runs `action` with a fresh client (no cached state) and returns what it sent, seen from both ends. */
  async function measure(action: (client: RegistryClient) => Promise<unknown>): Promise<{ events: RequestEvent[]; log: AccessLogEntry[] }> {
    const events: RequestEvent[] = [];
    const client = createRegistryClient({ onRequest: (event) => events.push(event) });
    const before = (await readAccessLog(registry)).length;
    await action(client);
    // The access log line is written after the response; give the registry a moment to flush it.
    let log: AccessLogEntry[] = [];
    for (let i = 0; i < 50; i++) {
      log = (await readAccessLog(registry)).slice(before);
      if (log.length >= events.length) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { events, log };
  }

  beforeAll(async () => {
    registry = await startRegistry();
    seeder = createRegistryClient();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  describe('when retagging within one repository', () => {
    it.each([
      { n: 1, expected: 4 },
      { n: 4, expected: 10 },
    ])('sends 2 + N requests plus N HEADs for the re-check (N=$n: $expected)', async ({ n, expected }) => {
      const repository = `budget/retag-${n}`;
      await pushIndex(seeder, repo(repository), { tag: 'src', layerSizes: [1000, 1000, 1000] });
      const targets = Array.from({ length: n }, (_, i) => `dst-${i}`);

      const { events, log } = await measure((client) => promote({ client, source: { ...repo(repository), tag: 'src' }, targets }));

      expect(events).toHaveLength(expected);
      expect(log).toHaveLength(expected);
      expect(tally(events.map((e) => shape(e.method, e.url)))).toEqual({
        'GET manifests': 1,
        'GET tags/list': 1,
        'PUT manifests': n,
        'HEAD manifests': n,
      });
      expect(log.filter((e) => e.path.includes('/blobs/'))).toEqual([]);
    });
  });

  describe('when promoting a two-platform index (3 layers each) into another repository', () => {
    it('sends at most 16 requests and moves no blob byte', async () => {
      const index = await pushIndex(seeder, repo('budget/staging'), { tag: '1.0.0', layerSizes: [20_000, 20_000, 20_000] });

      let figures: unknown;
      const { events, log } = await measure(async (client) => {
        const report = await promote({
          client,
          source: { ...repo('budget/staging'), tag: '1.0.0' },
          destination: repo('budget/production'),
          targets: ['1.0.0'],
          copyImage,
        });
        figures = report.copy;
        expect(report.targets.map((t) => t.after)).toEqual([index.digest]);
      });

      expect(events.length).toBeLessThanOrEqual(16);
      expect(log).toHaveLength(events.length);
      expect(tally(events.map((e) => shape(e.method, e.url)))).toEqual({
        'GET manifests': 3, // the source index, then each child once
        'GET tags/list': 1,
        'POST blobs/uploads': 8, // one mount per config and layer, no HEAD first
        'PUT manifests': 3, // two children by digest, then the index under its tag
        'HEAD manifests': 1, // the re-check
      });
      expect(log.filter((e) => e.path.includes('/blobs/')).every((e) => e.status === 201 && e.path.includes('mount='))).toBe(true);
      expect(log.filter((e) => e.path.includes('/blobs/')).reduce((sum, e) => sum + e.bytes, 0)).toBe(0);
      expect(figures).toEqual({ blobsMounted: 8, blobsCopied: 0, blobsPresent: 0, bytesCopied: 0, manifestsWritten: 2 });
    });
  });
});
