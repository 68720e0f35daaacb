import { createServer } from 'node:http';
import type { Server } from 'node:http';
import {
  clientFor,
  freePort,
  pushImage,
  pushIndex,
  pushReferrer,
  readAccessLog,
  startRegistry,
} from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.js';
import { createRegistryClient } from './client.js';
import { staticKeychain } from './keychain.js';
import type { RepositoryReference } from './reference.js';
import type { RequestEvent } from './transport.js';
import { MediaTypes, computeDigest } from './types.js';

const decode = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }
  throw new Error('expected a rejection');
}

describe('RegistryClient', () => {
  describe.each(['none', 'htpasswd', 'token'] as const)('when the registry uses auth %s', (auth) => {
    let registry: RunningRegistry;
    const events: RequestEvent[] = [];
    let client: ReturnType<typeof createRegistryClient>;
    const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

    beforeAll(async () => {
      registry = await startRegistry({ auth });
      client = clientFor(registry, { onRequest: (event) => events.push(event) });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('lists no tags for an unknown repository and for one holding only untagged manifests', async () => {
      expect(await client.listTags(repo('never/pushed'))).toEqual([]);
      await pushImage(client, repo('untagged/only'));
      expect(await client.listTags(repo('untagged/only'))).toEqual([]);
    });

    it('resolves, gets, puts and deletes a manifest', async () => {
      const image = await pushImage(client, repo('team/app'), { tag: '1.0.0', layerSizes: [100, 200] });
      expect((await client.listTags(repo('team/app'))).sort()).toEqual(['1.0.0']);

      const beforeResolve = events.length;
      const resolved = await client.resolveDigest({ ...repo('team/app'), tag: '1.0.0' });
      expect(resolved).toEqual({ mediaType: MediaTypes.OCI_MANIFEST, digest: image.digest, size: image.size });
      expect(events.slice(beforeResolve).filter((e) => e.status !== 401 && !e.url.includes('/token')).map((e) => e.method)).toEqual(['HEAD']);

      const byDigest = await client.getManifest({ ...repo('team/app'), digest: image.digest });
      expect(byDigest.digest).toBe(image.digest);
      expect(byDigest.mediaType).toBe(MediaTypes.OCI_MANIFEST);
      expect(computeDigest(byDigest.bytes)).toBe(image.digest);

      const copied = await client.putManifest(repo('team/app'), '1.0', byDigest);
      expect(copied).toBe(image.digest);
      expect((await client.listTags(repo('team/app'))).sort()).toEqual(['1.0', '1.0.0']);

      await client.deleteManifest(repo('team/app'), image.digest);
      const missing = await rejection(client.resolveDigest({ ...repo('team/app'), tag: '1.0.0' }));
      expect(missing.code).toBe('NOT_FOUND');
      expect(missing.status).toBe(404);
      const gone = await rejection(client.getManifest({ ...repo('team/app'), tag: '1.0' }));
      expect(gone.message).toBe(`get manifest ${registry.url}/v2/team/app/manifests/1.0: 404 MANIFEST_UNKNOWN: manifest unknown`);
    });

    it('retags a two-platform OCI index without changing its digest or touching a blob', async () => {
      const index = await pushIndex(client, repo('multi/app'), { tag: '2.0.0' });
      const before = (await readAccessLog(registry)).length;
      const firstEvent = events.length;

      const raw = await client.getManifest({ ...repo('multi/app'), tag: '2.0.0' });
      const digest = await client.putManifest(repo('multi/app'), 'stable', raw);

      expect(digest).toBe(index.digest);
      const stable = await client.getManifest({ ...repo('multi/app'), tag: 'stable' });
      expect(stable.digest).toBe(index.digest);
      expect(stable.mediaType).toBe(MediaTypes.OCI_INDEX);
      const platforms = (decode(stable.bytes) as { manifests: { digest: string; platform: { os: string; architecture: string } }[] }).manifests;
      expect(platforms.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual(['linux/amd64', 'linux/arm64']);
      expect(platforms.map((m) => m.digest)).toEqual(index.childDigests);

      const served = (await readAccessLog(registry)).slice(before);
      expect(served.length).toBeGreaterThan(0);
      expect(served.filter((entry) => entry.path.includes('/blobs/'))).toEqual([]);
      expect(events.slice(firstEvent).filter((event) => event.url.includes('/blobs/'))).toEqual([]);
    });

    it('keeps a Docker schema 2 manifest as served (no schema 1 conversion)', async () => {
      const image = await pushImage(client, repo('docker/app'), { tag: 'v1', format: 'docker' });
      const raw = await client.getManifest({ ...repo('docker/app'), tag: 'v1' });
      expect(raw.mediaType).toBe(MediaTypes.DOCKER_MANIFEST);
      expect(raw.digest).toBe(image.digest);
      expect(await client.putManifest(repo('docker/app'), 'v1-copy', raw)).toBe(image.digest);
      expect(await client.resolveDigest({ ...repo('docker/app'), tag: 'v1-copy' })).toEqual({
        mediaType: MediaTypes.DOCKER_MANIFEST,
        digest: image.digest,
        size: raw.bytes.byteLength,
      });
    });

    it('reads and checks blobs', async () => {
      const image = await pushImage(client, repo('blobs/app'), { tag: 'x', layerSizes: [64] });
      const configDigest = image.configDigest ?? '';
      const config = await client.getBlob(repo('blobs/app'), configDigest);
      expect(computeDigest(config)).toBe(configDigest);
      expect(await client.headBlob(repo('blobs/app'), configDigest)).toMatchObject({ digest: configDigest, size: config.byteLength });
      expect(await client.headBlob(repo('blobs/app'), computeDigest(new TextEncoder().encode('absent')))).toBeUndefined();
    });

    it('mounts a blob from another repository (201) and reports an unknown one as not mounted', async () => {
      const image = await pushImage(client, repo('mount/src'), { layerSizes: [128] });
      const layer = image.layerDigests?.[0] ?? '';
      expect(await client.mountBlob(repo('mount/dst'), layer, repo('mount/src'))).toBe(true);
      expect(await client.headBlob(repo('mount/dst'), layer)).toMatchObject({ digest: layer, size: 128 });
      const absent = computeDigest(new TextEncoder().encode('never uploaded'));
      expect(await client.mountBlob(repo('mount/dst'), absent, repo('mount/src'))).toBe(false);
    });

    it('lists referrers through the referrers tag schema', async () => {
      const subject = await pushImage(client, repo('signed/app'), { tag: '1.0.0' });
      const described = { digest: subject.digest, mediaType: subject.mediaType, size: subject.size ?? 0 };
      const signature = await pushReferrer(client, repo('signed/app'), described, { artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' });
      const sbom = await pushReferrer(client, repo('signed/app'), described, { artifactType: 'application/spdx+json' });

      expect(await client.referrers(repo('signed/app'), subject.digest)).toEqual([signature, sbom]);
      expect(
        await client.referrers(repo('signed/app'), subject.digest, { artifactType: 'application/spdx+json' }),
      ).toEqual([sbom]);
      const unsigned = await pushImage(client, repo('signed/app'), { tag: 'unsigned' });
      expect(await client.referrers(repo('signed/app'), unsigned.digest)).toEqual([]);
    });

    it('reports every request through onRequest', () => {
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) {
        expect(event.url.startsWith(`${registry.url}/v2/`) || event.url.includes('/token')).toBe(true);
        expect(event.status).toBeGreaterThan(0);
      }
      expect(events.some((event) => event.method === 'PUT' && event.bytesSent > 0)).toBe(true);
      expect(events.some((event) => event.method === 'GET' && event.bytesReceived > 0)).toBe(true);
    });
  });

  describe.each(['htpasswd', 'token'] as const)('when the %s registry gets wrong or no credentials', (auth) => {
    let registry: RunningRegistry;
    beforeAll(async () => {
      registry = await startRegistry({ auth });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('fails with UNAUTHORIZED naming the registry, never the password', async () => {
      const password = 'not-the-password-0123456789';
      const client = clientFor(registry, {
        keychain: staticKeychain({ [registry.host]: { username: registry.credentials?.username ?? '', password } }),
      });
      const error = await rejection(client.listTags({ registry: registry.host, repository: 'any/repo' }));
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.status).toBe(401);
      expect(error.message).toContain(`(the credentials for ${registry.host} were rejected)`);
      expect(error.message).not.toContain(password);
      expect(JSON.stringify(error)).not.toContain(password);
      expect(String(error.stack)).not.toContain(password);
      expect(String(error.cause)).not.toContain(password);
      const basic = Buffer.from(`${registry.credentials?.username ?? ''}:${password}`).toString('base64');
      expect(`${error.message} ${String(error.cause)} ${JSON.stringify(error)}`).not.toContain(basic);
    });

    it('never quotes a registry token, even one fetch refuses as a header value', async () => {
      // undici's "invalid header value" TypeError quotes the whole Authorization value.
      const registryToken = 'tok\nsecret-registry-token-0123456789';
      const client = clientFor(registry, { keychain: staticKeychain({ [registry.host]: { registryToken } }) });
      const error = await rejection(client.listTags({ registry: registry.host, repository: 'any/repo' }));
      expect(error.code).toBe(auth === 'token' ? 'NETWORK_ERROR' : 'UNAUTHORIZED');
      for (const text of [error.message, String(error.stack), String(error.cause), JSON.stringify(error)]) {
        expect(text).not.toContain('secret-registry-token');
      }
    });

    it('fails with UNAUTHORIZED saying there are no credentials', async () => {
      const client = clientFor({ host: registry.host });
      const error = await rejection(client.listTags({ registry: registry.host, repository: 'any/repo' }));
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.message).toContain(`(no credentials for ${registry.host})`);
    });
  });

  describe('when the registry uses bearer tokens', () => {
    let registry: RunningRegistry;
    beforeAll(async () => {
      registry = await startRegistry({ auth: 'token' });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('asks the token server for pull,push to write and reuses that token to read', async () => {
      const client = clientFor(registry);
      const image = await pushImage(client, { registry: registry.host, repository: 'scoped/app' }, { tag: 'v1' });
      expect(await client.resolveDigest({ registry: registry.host, repository: 'scoped/app', tag: 'v1' })).toMatchObject({
        digest: image.digest,
      });
      await client.resolveDigest({ registry: registry.host, repository: 'scoped/app', tag: 'v1' });
      const scopes = registry.tokenServer?.requests.map((r) => r.scopes.join(' ')) ?? [];
      expect(scopes).toEqual(['repository:scoped/app:pull,push']);
      expect(registry.tokenServer?.requests.every((r) => r.service === registry.tokenServer?.service && r.account === 'tagwright')).toBe(true);
      // A read on its own asks for pull only.
      const reader = clientFor(registry);
      await reader.resolveDigest({ registry: registry.host, repository: 'scoped/app', tag: 'v1' });
      expect(registry.tokenServer?.requests.slice(scopes.length).map((r) => r.scopes.join(' '))).toEqual(['repository:scoped/app:pull']);
    });

    it('exchanges an identity token (OAuth2 refresh token) for an access token', async () => {
      const client = clientFor(registry, {
        keychain: staticKeychain({ [registry.host]: { username: '<token>', identityToken: registry.identityToken ?? '' } }),
      });
      const image = await pushImage(client, { registry: registry.host, repository: 'oauth/app' }, { tag: 'v1' });
      expect(await client.listTags({ registry: registry.host, repository: 'oauth/app' })).toEqual(['v1']);
      expect(image.digest).toMatch(/^sha256:/);
      expect(registry.tokenServer?.requests.some((r) => r.grantType === 'refresh_token' && r.account === 'tagwright')).toBe(true);
    });
  });

  describe('when a registry paginates tags with Link headers (as GHCR does)', () => {
    let server: Server;
    let host: string;
    const pages: string[] = [];
    beforeAll(async () => {
      const all = ['1.0.0', '1.0.1', '1.1.0', '2.0.0', 'latest'];
      server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        pages.push(url.search);
        if (url.pathname !== '/v2/acme/app/tags/list') {
          res.writeHead(404).end();
          return;
        }
        const n = Number(url.searchParams.get('n') ?? '2');
        const last = url.searchParams.get('last');
        const start = last === null ? 0 : all.indexOf(last) + 1;
        const tags = all.slice(start, start + n);
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (start + n < all.length) headers['Link'] = `</v2/acme/app/tags/list?last=${tags.at(-1) ?? ''}&n=${n}>; rel="next"`;
        res.writeHead(200, headers).end(JSON.stringify({ name: 'acme/app', tags }));
      });
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      host = `127.0.0.1:${port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('follows rel="next" until the last page', async () => {
      const client = createRegistryClient();
      expect(await client.listTags({ registry: host, repository: 'acme/app' })).toEqual(['1.0.0', '1.0.1', '1.1.0', '2.0.0', 'latest']);
      expect(pages).toEqual(['', '?last=1.0.1&n=2', '?last=2.0.0&n=2']);
    });
  });

  describe('when a registry is overloaded or lies about a digest', () => {
    let server: Server;
    let host: string;
    let hits = 0;
    const manifest = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OCI_MANIFEST }));
    beforeAll(async () => {
      server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        if (url.pathname === '/v2/busy/app/tags/list') {
          hits += 1;
          if (hits < 3) {
            res.writeHead(hits === 1 ? 503 : 429, { 'Retry-After': '0' }).end();
            return;
          }
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ name: 'busy/app', tags: null }));
          return;
        }
        if (url.pathname === '/v2/down/app/tags/list') {
          res.writeHead(502).end();
          return;
        }
        if (url.pathname.startsWith('/v2/modern/app/referrers/')) {
          res.writeHead(200, { 'Content-Type': MediaTypes.OCI_INDEX }).end(
            JSON.stringify({
              schemaVersion: 2,
              mediaType: MediaTypes.OCI_INDEX,
              manifests: [
                { mediaType: MediaTypes.OCI_MANIFEST, digest: `sha256:${'1'.repeat(64)}`, size: 10, artifactType: 'application/spdx+json' },
                { mediaType: MediaTypes.OCI_MANIFEST, digest: `sha256:${'2'.repeat(64)}`, size: 11, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' },
              ],
            }),
          );
          return;
        }
        if (url.pathname === '/v2/liar/app/manifests/v1') {
          res
            .writeHead(200, { 'Content-Type': MediaTypes.OCI_MANIFEST, 'Docker-Content-Digest': `sha256:${'0'.repeat(64)}` })
            .end(Buffer.from(manifest));
          return;
        }
        res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'no' }] }));
      });
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      host = `127.0.0.1:${port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('retries 503 and 429 honouring Retry-After, then succeeds', async () => {
      const events: RequestEvent[] = [];
      const client = createRegistryClient({ retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5 }, onRequest: (e) => events.push(e) });
      expect(await client.listTags({ registry: host, repository: 'busy/app' })).toEqual([]);
      expect(events.map((e) => e.status)).toEqual([503, 429, 200]);
    });

    it('gives up after the retries with a retryable RegistryError', async () => {
      const client = createRegistryClient({ retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 5 } });
      const error = await rejection(client.listTags({ registry: host, repository: 'down/app' }));
      expect(error.retryable).toBe(true);
      expect(error.status).toBe(502);
      expect(error.message).toBe(`list tags http://${host}/v2/down/app/tags/list: 502 Bad Gateway`);
    });

    it('never retries another 4xx', async () => {
      const events: RequestEvent[] = [];
      const client = createRegistryClient({ retry: { retries: 3, minTimeoutMs: 1 }, onRequest: (e) => events.push(e) });
      const error = await rejection(client.listTags({ registry: host, repository: 'other/app' }));
      expect(error.message).toBe(`list tags http://${host}/v2/other/app/tags/list: 400 DENIED: no`);
      expect(error.ociErrors).toEqual([{ code: 'DENIED', message: 'no' }]);
      expect(events).toHaveLength(1);
    });

    it('uses the referrers API when the registry has it, filtering by artifactType itself', async () => {
      const events: RequestEvent[] = [];
      const client = createRegistryClient({ onRequest: (e) => events.push(e) });
      const subject = `sha256:${'9'.repeat(64)}`;
      const referrers = await client.referrers({ registry: host, repository: 'modern/app' }, subject, { artifactType: 'application/spdx+json' });
      expect(referrers).toEqual([
        { mediaType: MediaTypes.OCI_MANIFEST, digest: `sha256:${'1'.repeat(64)}`, size: 10, artifactType: 'application/spdx+json' },
      ]);
      expect(events.map((e) => e.url)).toEqual([
        `http://${host}/v2/modern/app/referrers/${subject}?artifactType=application%2Fspdx%2Bjson`,
      ]);
    });

    it('rejects a manifest whose bytes do not match Docker-Content-Digest', async () => {
      const client = createRegistryClient();
      const error = await rejection(client.getManifest({ registry: host, repository: 'liar/app', tag: 'v1' }));
      expect(error.code).toBe('DIGEST_MISMATCH');
      expect(error.message).toBe(
        `get manifest http://${host}/v2/liar/app/manifests/v1: content has digest ${computeDigest(manifest)}, expected sha256:${'0'.repeat(64)}`,
      );
    });
  });
});
