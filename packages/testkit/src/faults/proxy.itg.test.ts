import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor } from '../registry/client.js';
import { startRegistry } from '../registry/registry.js';
import type { RunningRegistry } from '../registry/registry.js';
import { pushImage } from '../registry/seed.js';
import { startFaultProxy } from './proxy.js';
import type { FaultProxy } from './proxy.js';

const ACCEPT = { Accept: 'application/vnd.oci.image.manifest.v1+json' };

describe('startFaultProxy', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let digest: string;
  const basic = (): string =>
    `Basic ${Buffer.from(`${registry.credentials!.username}:${registry.credentials!.password}`).toString('base64')}`;
  const manifestUrl = (): string => `${proxy.url}/v2/acme/app/manifests/1.0.0`;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    proxy = await startFaultProxy({ upstream: registry.url });
    digest = (await pushImage(clientFor({ host: proxy.host, credentials: registry.credentials }), { registry: proxy.host, repository: 'acme/app' }, { tag: '1.0.0' })).digest;
  });

  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  describe('without rules', () => {
    it('forwards unchanged and logs each request without its credentials', async () => {
      const before = proxy.log.length;
      const response = await fetch(manifestUrl(), { headers: { ...ACCEPT, Authorization: basic() } });
      expect(response.status).toBe(200);
      expect(response.headers.get('docker-content-digest')).toBe(digest);
      await response.arrayBuffer();
      const entry = proxy.log[before]!;
      expect(entry).toMatchObject({ method: 'GET', path: '/v2/acme/app/manifests/1.0.0', host: proxy.host, status: 200, authorization: true });
      expect(entry.headers['authorization']).toBeUndefined();
      expect(entry.endMs).toBeGreaterThanOrEqual(entry.startMs);
    });
  });

  describe('with a status rule counted on the 2nd request', () => {
    it('answers the status, body and Retry-After only for that request', async () => {
      const remove = proxy.addRule({
        method: 'GET',
        path: /\/manifests\/1\.0\.0$/,
        count: { nth: 2 },
        fault: { kind: 'status', status: 503, body: 'busy', headers: { 'Retry-After': '7' } },
      });
      const statuses: [number, string | null][] = [];
      for (let i = 0; i < 3; i++) {
        const response = await fetch(manifestUrl(), { headers: { ...ACCEPT, Authorization: basic() } });
        await response.arrayBuffer();
        statuses.push([response.status, response.headers.get('retry-after')]);
      }
      remove();
      expect(statuses).toEqual([
        [200, null],
        [503, '7'],
        [200, null],
      ]);
      expect(proxy.log.at(-2)?.fault).toBe('status');
    });
  });

  describe('with a reset before the answer and in the middle of the body', () => {
    it('fails the request at the client', async () => {
      const remove = proxy.addRule({ path: /\/manifests\/1\.0\.0$/, count: { first: 1 }, fault: { kind: 'reset' } });
      await expect(fetch(manifestUrl(), { headers: { ...ACCEPT, Authorization: basic() } })).rejects.toThrow('fetch failed');
      remove();
      const mid = proxy.addRule({ path: /\/manifests\/1\.0\.0$/, fault: { kind: 'reset', when: 'mid-body' } });
      const response = await fetch(manifestUrl(), { headers: { ...ACCEPT, Authorization: basic() } });
      expect(response.status).toBe(200);
      await expect(response.arrayBuffer()).rejects.toThrow();
      mid();
    });
  });

  describe('with a hang', () => {
    it('never answers until the client gives up, and logs no status', async () => {
      const remove = proxy.addRule({ path: /\/manifests\/1\.0\.0$/, fault: { kind: 'hang' } });
      const controller = new AbortController();
      const pending = fetch(manifestUrl(), { headers: ACCEPT, signal: controller.signal });
      await expect.poll(() => proxy.log.at(-1)?.fault).toBe('hang');
      controller.abort();
      await expect(pending).rejects.toThrow();
      remove();
      expect(proxy.log.at(-1)?.status).toBe(0);
    });
  });

  describe('with rewrites', () => {
    it('drops or falsifies Docker-Content-Digest and replaces the body', async () => {
      const remove = proxy.addRule({
        path: /\/manifests\/1\.0\.0$/,
        fault: { kind: 'rewrite', body: (body) => Buffer.concat([body, Buffer.from(' ')]), headers: { 'Docker-Content-Digest': null } },
      });
      const response = await fetch(manifestUrl(), { headers: { ...ACCEPT, Authorization: basic() } });
      const body = Buffer.from(await response.arrayBuffer());
      remove();
      expect(response.headers.get('docker-content-digest')).toBeNull();
      expect(body.at(-1)).toBe(0x20);
      expect(Number(response.headers.get('content-length'))).toBe(body.byteLength);
    });

    it('sets a Link header to another host', async () => {
      const remove = proxy.addRule({ path: /\/tags\/list/, fault: { kind: 'link', url: 'http://127.0.0.2:1/v2/acme/app/tags/list?last=x' } });
      const response = await fetch(`${proxy.url}/v2/acme/app/tags/list`, { headers: { Authorization: basic() } });
      await response.arrayBuffer();
      remove();
      expect(response.headers.get('link')).toBe('<http://127.0.0.2:1/v2/acme/app/tags/list?last=x>; rel="next"');
    });
  });

  describe('with echo-authorization', () => {
    it('quotes the decoded credentials in an OCI error body', async () => {
      const remove = proxy.addRule({ path: /\/manifests\//, fault: { kind: 'echo-authorization', status: 403 } });
      const response = await fetch(manifestUrl(), { headers: { ...ACCEPT, Authorization: basic() } });
      const text = await response.text();
      remove();
      expect(response.status).toBe(403);
      expect(text).toContain(`${registry.credentials!.username}:${registry.credentials!.password}`);
    });
  });

  describe('when closed with a request hanging', () => {
    it('releases the connection', async () => {
      const other = await startFaultProxy({ upstream: registry.url, rules: [{ path: /.*/, fault: { kind: 'hang' } }] });
      const pending = fetch(`${other.url}/v2/`).catch((error: unknown) => error);
      await expect.poll(() => other.log.length).toBe(1);
      await other.close();
      expect(await pending).toBeInstanceOf(Error);
    });
  });
  describe('with a rate-limit rule of 2 concurrent requests and a delay', () => {
    it('answers 429 with Retry-After to requests beyond 2 in flight and forwards the rest', async () => {
      const remove = proxy.addRule({ path: /\/manifests\/1\.0\.0$/, fault: { kind: 'rate-limit', maxConcurrent: 2, retryAfter: '3', delayMs: 50 } });
      const answers = await Promise.all(
        Array.from({ length: 5 }, async () => {
          const response = await fetch(manifestUrl(), { headers: { ...ACCEPT, Authorization: basic() } });
          const body = await response.text();
          return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
        }),
      );
      // Later requests are admitted again once the first two ended.
      const after = await fetch(manifestUrl(), { headers: { ...ACCEPT, Authorization: basic() } });
      await after.arrayBuffer();
      remove();
      expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
      const refused = answers.filter((a) => a.status === 429);
      expect(refused).toHaveLength(3);
      expect(refused.every((a) => a.retryAfter === '3' && a.body.includes('TOOMANYREQUESTS'))).toBe(true);
      expect(after.status).toBe(200);
    });
  });
});
