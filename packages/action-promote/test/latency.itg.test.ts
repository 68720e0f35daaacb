import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientFor, criticalPath, pushIndex, runActionYml, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const action = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../promote');
/** 4× the bench's 25 ms: requests sent together overlap even on a loaded machine. */
const DELAY_MS = 100;

/**
 * Issue 16 through the built action, the way the bench runs it: every request goes through the fault
 * proxy with a delay, and the request count and the critical path (never a time) are asserted.
 */
describe('promote action (built) at 100 ms per request', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy({ upstream: registry.url, rules: [{ path: /./, fault: { kind: 'delay', ms: DELAY_MS } }] });
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  describe('when a two-platform index (3 layers each) is promoted into another repository', () => {
    it('looks for signatures while it reads the source: no blob byte, 19 requests on a critical path of 6', async () => {
      const client = clientFor(registry);
      await pushIndex(client, { registry: registry.host, repository: 'lat/staging' }, { tag: '1.0.0', layerSizes: [20_000, 20_000, 20_000] });
      const before = proxy.log.length;

      const result = await runActionYml(action, {
        inputs: { image: `${proxy.host}/lat/staging`, source: '1.0.0', destination: `${proxy.host}/lat/prod`, targets: '1.0.0' },
      });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const requests = proxy.log.slice(before);
      const path = criticalPath(requests);
      const show = (r: { method: string; path: string }): string => `${r.method} ${r.path.replace(/[0-9a-f]{64}/g, '<hex>').replace(/\?.*$/, '')}`;
      // (1) the source and the destination's tags; (2) the two platform manifests, the `.sig` tag, the
      // referrers API and the referrers tag at once; (3) 8 mounts; (4) the platform manifests; (5) the
      // index under its tag; (6) its re-read.
      expect(path.chain.map(show), requests.map(show).join('\n')).toHaveLength(6);
      expect(requests).toHaveLength(19);
      expect(requests.filter((r) => /\/blobs\/sha256:/.test(r.path))).toEqual([]);
      expect(result.outputs['bytes-copied']).toBe('0');
    });
  });
});
