import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '@tagwright/core';
import { copyImage } from '@tagwright/core/registry';
import { clientFor, pushImage, readAccessLog } from '../registry/index.js';
import type { RunningRegistry } from '../registry/index.js';
import { startForgejoStyleRegistry } from './registry.js';

describe('startForgejoStyleRegistry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startForgejoStyleRegistry({ owner: 'acme' });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('challenges with Forgejo’s realm path and service name', async () => {
    const response = await fetch(`${registry.url}/v2/`);
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    // One host, as on Forgejo: the realm is this host's /v2/token.
    expect(challenge).toMatch(new RegExp(`^Bearer realm="http://${registry.host.replace(/\./g, '\\.')}/v2/token",service="container_registry"`));
  });

  describe('when core’s registry client works on <owner>/<image>', () => {
    it('pushes, retags, lists and deletes with Basic user + token at the realm', async () => {
      const client = clientFor(registry);
      const repo = { registry: registry.host, repository: 'acme/app' };
      const image = await pushImage(client, repo, { tag: 'v0.1.0' });

      // Retag: re-PUT the manifest's raw bytes under the new tag, as promote does.
      const raw = await client.getManifest({ ...repo, tag: 'v0.1.0' });
      await client.putManifest(repo, 'latest', { bytes: raw.bytes, mediaType: raw.mediaType });
      expect((await client.resolveDigest({ ...repo, tag: 'latest' })).digest).toBe(image.digest);
      expect((await client.listTags(repo)).sort()).toEqual(['latest', 'v0.1.0']);

      const mirror = { registry: registry.host, repository: 'acme/app-mirror' };
      const copied = await copyImage(client, repo, mirror, raw);
      await client.putManifest(mirror, 'v0.1.0', { bytes: raw.bytes, mediaType: raw.mediaType });
      expect(copied.blobsMounted + copied.blobsCopied).toBeGreaterThan(0);
      expect((await client.resolveDigest({ registry: registry.host, repository: 'acme/app-mirror', tag: 'v0.1.0' })).digest).toBe(image.digest);

      await client.deleteManifest(repo, image.digest);
      expect(await client.listTags(repo)).toEqual([]);

      const requests = registry.tokenServer!.requests;
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.every((r) => r.service === 'container_registry' && r.account === 'acme')).toBe(true);
      expect(requests.flatMap((r) => r.scopes)).toContain('repository:acme/app:pull,push');
      expect(requests.every((r) => r.grantType === undefined)).toBe(true);
      expect((await readAccessLog(registry)).some((e) => e.method === 'DELETE' && e.status === 202)).toBe(true);
    });

    it('is refused a push outside the owner’s namespace', async () => {
      const client = clientFor(registry);
      const error = await pushImage(client, { registry: registry.host, repository: 'other/app' }, { tag: 'v1' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ status: 401 });
    });

    it('is refused with a wrong token', async () => {
      const client = clientFor({ host: registry.host, credentials: { username: 'acme', password: 'wrong' } });
      await expect(client.listTags({ registry: registry.host, repository: 'acme/app' })).rejects.toBeInstanceOf(RegistryError);
    });
  });
});
