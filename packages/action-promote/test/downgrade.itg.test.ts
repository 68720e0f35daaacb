import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, pushImage, runActionYml, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'promote');
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

/** Issue 11 item 11: a floating version tag never moves down without allow-downgrade. */
describe('promote action (built, through action.yml) and floating version tags', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  const at = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  const state = async (repository: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const tag of (await client.listTags(at(repository))).sort()) out[tag] = (await client.resolveDigest({ ...at(repository), tag })).digest;
    return out;
  };
  /** 1.3.0 promoted (with latest), and a 1.2.1 patch build waiting. */
  const seed = async (repository: string): Promise<{ v130: string; v121: string }> => {
    const v130 = (await pushImage(client, at(repository), { tag: '1.3.0', seed: `${repository}-130` })).digest;
    await client.putManifest(at(repository), 'latest', await client.getManifest({ ...at(repository), digest: v130 }));
    const v121 = (await pushImage(client, at(repository), { tag: '1.2.1', seed: `${repository}-121` })).digest;
    return { v130, v121 };
  };
  const run = (repository: string, inputs: Record<string, string>) =>
    runActionYml(action, { inputs: { image: `${registry.host}/${repository}`, ...inputs }, github: { ref: 'refs/tags/1.2.1', sha } });

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  describe('when targets 1.2.1, latest would move latest from 1.3.0 down to 1.2.1', () => {
    it('refuses before any write and moves nothing', async () => {
      const { v130, v121 } = await seed('acme/down');

      const result = await run('acme/down', { source: '1.2.1', targets: '1.2.1-stable, latest' });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(
        `::error::promote ${registry.host}/acme/down:1.2.1: would move latest from 1.3.0 down to 1.2.1 (a floating tag goes to a lower version); set allow-downgrade: true if this is intended; nothing was moved`,
      );
      expect(await state('acme/down')).toEqual({ '1.2.1': v121, '1.3.0': v130, latest: v130 });
    });
  });

  describe('when allow-downgrade is true', () => {
    it('moves latest down to 1.2.1', async () => {
      const { v130, v121 } = await seed('acme/allowed');

      const result = await run('acme/allowed', { source: '1.2.1', targets: '1.2.1-stable, latest', 'allow-downgrade': 'true' });

      expect(result.exitCode).toBe(0);
      expect(await state('acme/allowed')).toEqual({ '1.2.1': v121, '1.2.1-stable': v121, '1.3.0': v130, latest: v121 });
    });
  });

  describe('when the source is newer than what latest holds', () => {
    it('moves latest up as before', async () => {
      const { v130, v121 } = await seed('acme/up');
      await client.putManifest(at('acme/up'), 'latest', await client.getManifest({ ...at('acme/up'), digest: v121 }));

      const result = await run('acme/up', { source: '1.3.0', targets: 'latest, 1' });

      expect(result.exitCode).toBe(0);
      expect(await state('acme/up')).toEqual({ '1': v130, '1.2.1': v121, '1.3.0': v130, latest: v130 });
    });
  });
});
