import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaTypes } from '@tagwright/core';
import { clientFor, pushImage, pushIndex, readAccessLog, startRegistry } from './index.js';
import type { RunningRegistry } from './index.js';

describe('startRegistry', () => {
  describe('when started without auth', () => {
    let registry: RunningRegistry;
    beforeAll(async () => {
      registry = await startRegistry();
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('listens on 127.0.0.1 and logs no request before the first one made', async () => {
      expect(registry.url).toBe(`http://${registry.host}`);
      expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(await readAccessLog(registry)).toEqual([]);
      const response = await fetch(`${registry.url}/v2/`);
      expect(response.status).toBe(200);
      expect(await readAccessLog(registry)).toEqual([
        expect.objectContaining({ method: 'GET', path: '/v2/', status: 200 }),
      ]);
    });

    it('pushes the same digest for the same seed, and different ones without a seed', async () => {
      const client = clientFor(registry);
      const a = await pushImage(client, { registry: registry.host, repository: 'seed/a' }, { seed: 's1', tag: 'v1' });
      const b = await pushImage(client, { registry: registry.host, repository: 'seed/b' }, { seed: 's1' });
      const c = await pushImage(client, { registry: registry.host, repository: 'seed/b' });
      expect(b.digest).toBe(a.digest);
      expect(c.digest).not.toBe(a.digest);
      expect(a).toMatchObject({ repository: 'seed/a', tag: 'v1', mediaType: MediaTypes.OCI_MANIFEST, platforms: ['linux/amd64'] });
    });

    it('pushes an index whose children are untagged', async () => {
      const client = clientFor(registry);
      const repo = { registry: registry.host, repository: 'seed/index' };
      const index = await pushIndex(client, repo, { tag: 'multi', platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/s390x'] });
      expect(index.childDigests).toHaveLength(3);
      expect(await client.listTags(repo)).toEqual(['multi']);
      const raw = await client.getManifest({ ...repo, tag: 'multi' });
      const parsed = JSON.parse(new TextDecoder().decode(raw.bytes)) as { manifests: { platform: unknown }[] };
      expect(parsed.manifests.map((m) => m.platform)).toEqual([
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
        { os: 'linux', architecture: 's390x' },
      ]);
    });
  });

  describe('when stopped', () => {
    it('removes its storage and stops answering', async () => {
      const registry = await startRegistry({ auth: 'token' });
      await registry.stop();
      expect(existsSync(registry.rootDir)).toBe(false);
      await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
    });
  });
});
