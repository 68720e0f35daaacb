import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, pushImage, runActionYml, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, RunningRegistry } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'compute-tags');
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

/** Issue 11 item 4 through the action: a garbled tag list stops the run instead of reading as "no tags". */
describe('compute-tags action through the fault proxy', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy({ upstream: registry.url });
    const client = clientFor(registry);
    for (const tag of ['2.0.0', 'latest']) await pushImage(client, { registry: registry.host, repository: 'acme/app' }, { tag, seed: tag });
  });

  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  it.each([
    ['{}', '{}'],
    ['"tags": "2.0.0"', '{"name":"acme/app","tags":"2.0.0"}'],
  ])('fails on a 200 tag list of %s instead of giving 1.5.0 the latest tag', async (_name, body) => {
    const remove = proxy.addRule({ method: 'GET', path: /\/acme\/app\/tags\/list/, fault: { kind: 'rewrite', body } });
    try {
      const result = await runActionYml(action, { inputs: { images: `${proxy.host}/acme/app`, 'sha-tag': 'false' }, github: { ref: 'refs/tags/1.5.0', sha } });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`::error::.*list tags http://${proxy.host.replace(/\./g, '\\.')}/v2/acme/app/tags/list: the answer is not a valid tag list`));
      expect(result.outputs.tags ?? '').not.toContain('latest');
    } finally {
      remove();
    }
  });

  it('without the fault, 1.5.0 gets 1.5 but not latest (2.0.0 is higher)', async () => {
    const result = await runActionYml(action, { inputs: { images: `${proxy.host}/acme/app`, 'sha-tag': 'false' }, github: { ref: 'refs/tags/1.5.0', sha } });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['tag-names']).toBe('1.5.0\n1.5\n1');
  });
});
