import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { clientFor, freePort, pushImage, pushIndex, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.js';
import { createRegistryClient } from './client.js';
import { copyImage } from './copy.js';
import { staticKeychain } from './keychain.js';
import { createNodeHttpFetch } from './node-http.js';
import type { RepositoryReference } from './reference.js';
import type { RequestEvent } from './transport.js';
import { MediaTypes, computeDigest } from './types.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void, seen: Seen[]): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${port}` };
}

const close = (server: Server | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** A web stream of `size` pseudo-random bytes in 64 KiB chunks, generated as it is read. */
function generated(size: number): { stream: ReadableStream<Uint8Array>; digest: string } {
  const chunk = (i: number): Uint8Array => createHash('sha256').update(String(i)).digest().subarray(0, 32);
  const hash = createHash('sha256');
  const pieces: Uint8Array[] = [];
  for (let sent = 0, i = 0; sent < size; i++) {
    const block = Buffer.alloc(Math.min(65536, size - sent), chunk(i));
    pieces.push(block);
    hash.update(block);
    sent += block.byteLength;
  }
  let next = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[next++];
      if (piece) controller.enqueue(piece);
      else controller.close();
    },
  });
  return { stream, digest: hash.digest('hex') };
}

async function failure(promise: Promise<unknown>): Promise<Error & { cause?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { cause?: unknown };
  }
  throw new Error('expected a rejection');
}

describe('createNodeHttpFetch', () => {
  const fetchImpl = createNodeHttpFetch();
  const seen: Seen[] = [];
  const otherSeen: Seen[] = [];
  let main: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  const download = generated(3 * 1024 * 1024 + 17);
  let downloadBytes: Buffer;

  beforeAll(async () => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of generated(3 * 1024 * 1024 + 17).stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    downloadBytes = Buffer.concat(chunks);
    other = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('storage');
    }, otherSeen);
    main = await listen((req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const hop = Number(url.searchParams.get('hop') ?? '0');
      switch (url.pathname) {
        case '/status':
          res.setHeader('X-Multi', ['a', 'b']);
          res.writeHead(201, 'Made It', { 'Content-Type': 'application/json', 'Docker-Content-Digest': 'sha256:abc' });
          res.end(JSON.stringify({ method: req.method, body: body.toString('utf8') }));
          return;
        case '/gzip':
          res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' }).end(gzipSync('{"zipped":true}'));
          return;
        case '/same-origin':
          res.writeHead(302, { Location: '/status' }).end();
          return;
        case '/cross-origin':
          res.writeHead(307, { Location: `${other.origin}/blob?from=main` }).end('redirect body');
          return;
        case '/see-other':
          res.writeHead(303, { Location: '/status' }).end();
          return;
        case '/temporary':
          res.writeHead(307, { Location: '/status' }).end();
          return;
        case '/loop':
          res.writeHead(302, { Location: `/loop?hop=${hop + 1}` }).end();
          return;
        case '/upload':
          res.writeHead(201, { 'Content-Type': 'application/json' }).end(
            JSON.stringify({ size: body.byteLength, sha256: createHash('sha256').update(body).digest('hex'), chunked: req.headers['transfer-encoding'] ?? null }),
          );
          return;
        case '/download':
          res.writeHead(200, { 'Content-Length': String(downloadBytes.byteLength) }).end(downloadBytes);
          return;
        case '/reset':
          req.socket.destroy();
          return;
        case '/hang':
          return;
        default:
          res.writeHead(404).end();
      }
    }, seen);
  });
  afterAll(async () => {
    await close(main?.server);
    await close(other?.server);
  });

  describe('when the server answers', () => {
    it('gives status, status text, case-insensitive headers, the final URL and the body', async () => {
      const response = await fetchImpl(`${main.origin}/status`, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: new TextEncoder().encode('hello') });
      expect(response.ok).toBe(true);
      expect(response.status).toBe(201);
      expect(response.statusText).toBe('Made It');
      expect(response.url).toBe(`${main.origin}/status`);
      expect(response.headers.get('docker-content-digest')).toBe('sha256:abc');
      expect(response.headers.get('Docker-Content-Digest')).toBe('sha256:abc');
      expect(response.headers.get('x-multi')).toBe('a, b');
      expect(response.headers.get('absent')).toBeNull();
      expect(response.headers.has('CONTENT-TYPE')).toBe(true);
      expect(JSON.parse(await response.text())).toEqual({ method: 'PUT', body: 'hello' });
      expect(seen.at(-1)?.headers['content-length']).toBe('5');
    });

    it('reads the body as an ArrayBuffer, and gives no body for HEAD or 404 with ok false', async () => {
      const bytes = await (await fetchImpl(`${main.origin}/status`)).arrayBuffer();
      expect(JSON.parse(Buffer.from(bytes).toString('utf8'))).toEqual({ method: 'GET', body: '' });
      const head = await fetchImpl(`${main.origin}/status`, { method: 'HEAD' });
      expect(head.body).toBeNull();
      expect(head.headers.get('content-type')).toBe('application/json');
      const missing = await fetchImpl(`${main.origin}/nothing`);
      expect(missing.ok).toBe(false);
      expect(missing.status).toBe(404);
      expect(missing.statusText).toBe('Not Found');
      expect((await missing.arrayBuffer()).byteLength).toBe(0);
    });

    it('decodes a gzip Content-Encoding as fetch does', async () => {
      expect(await (await fetchImpl(`${main.origin}/gzip`)).json()).toEqual({ zipped: true });
    });
  });

  describe('when the server redirects', () => {
    it('keeps Authorization on the same origin', async () => {
      const response = await fetchImpl(`${main.origin}/same-origin`, { headers: { Authorization: 'Bearer same' }, redirect: 'follow' });
      expect(response.status).toBe(201);
      expect(response.url).toBe(`${main.origin}/status`);
      expect(response.redirected).toBe(true);
      expect(seen.at(-1)?.headers.authorization).toBe('Bearer same');
      await response.arrayBuffer();
    });

    it('drops Authorization, Cookie and Proxy-Authorization when the origin changes (another port)', async () => {
      const response = await fetchImpl(`${main.origin}/cross-origin`, {
        headers: { Authorization: 'Bearer secret', Cookie: 'a=b', 'Proxy-Authorization': 'Basic x', 'X-Kept': 'yes' },
      });
      expect(await response.text()).toBe('storage');
      expect(response.url).toBe(`${other.origin}/blob?from=main`);
      const request = otherSeen.at(-1);
      expect(request?.headers.authorization).toBeUndefined();
      expect(request?.headers.cookie).toBeUndefined();
      expect(request?.headers['proxy-authorization']).toBeUndefined();
      expect(request?.headers['x-kept']).toBe('yes');
    });

    it('turns a POST into a GET without body on 303', async () => {
      const response = await fetchImpl(`${main.origin}/see-other`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=refresh_token',
      });
      expect(await response.json()).toEqual({ method: 'GET', body: '' });
      expect(seen.at(-1)?.headers['content-type']).toBeUndefined();
    });

    it('turns a streamed POST into a GET without body on 303', async () => {
      const response = await fetchImpl(`${main.origin}/see-other`, { method: 'POST', body: generated(100_000).stream, duplex: 'half' } as RequestInit);
      expect(await response.json()).toEqual({ method: 'GET', body: '' });
    });

    it('keeps the method and a buffered body on 307', async () => {
      const response = await fetchImpl(`${main.origin}/temporary`, { method: 'PUT', body: new TextEncoder().encode('again') });
      expect(await response.json()).toEqual({ method: 'PUT', body: 'again' });
    });

    it('fails clearly after 10 redirects', async () => {
      const error = await failure(fetchImpl(`${main.origin}/loop`));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe('fetch failed');
      expect(String((error.cause as Error).message)).toBe(`redirect count exceeded: more than 10 redirects from ${main.origin}/loop?hop=10`);
    });

    it('fails clearly instead of sending a streamed body again on 307', async () => {
      const { stream } = generated(1024);
      const error = await failure(fetchImpl(`${main.origin}/temporary`, { method: 'PUT', body: stream, duplex: 'half' } as RequestInit));
      expect(error).toBeInstanceOf(TypeError);
      expect((error.cause as Error).message).toBe(
        `cannot follow a 307 redirect from ${main.origin}/temporary to ${main.origin}/status: the streamed request body cannot be sent again`,
      );
    });
  });

  describe('when bodies are large', () => {
    it('streams an upload of a few MB without Content-Length (chunked) and with it', async () => {
      const chunked = generated(4 * 1024 * 1024 + 3);
      const response = await fetchImpl(`${main.origin}/upload`, { method: 'PUT', body: chunked.stream, duplex: 'half' } as RequestInit);
      expect(await response.json()).toEqual({ size: 4 * 1024 * 1024 + 3, sha256: chunked.digest, chunked: 'chunked' });
      const sized = generated(2 * 1024 * 1024);
      const withLength = await fetchImpl(`${main.origin}/upload`, {
        method: 'PUT',
        headers: { 'Content-Length': String(2 * 1024 * 1024) },
        body: sized.stream,
        duplex: 'half',
      } as RequestInit);
      expect(await withLength.json()).toEqual({ size: 2 * 1024 * 1024, sha256: sized.digest, chunked: null });
    });

    it('streams a download of a few MB as a web ReadableStream', async () => {
      const response = await fetchImpl(`${main.origin}/download`);
      expect(response.body).toBeInstanceOf(ReadableStream);
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        size += chunk.byteLength;
      }
      expect(size).toBe(3 * 1024 * 1024 + 17);
      expect(hash.digest('hex')).toBe(download.digest);
    });
  });

  describe('when the connection fails', () => {
    it('rejects with TypeError "fetch failed" whose cause carries ECONNREFUSED', async () => {
      const port = await freePort();
      const error = await failure(fetchImpl(`http://127.0.0.1:${port}/v2/`));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe('fetch failed');
      expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
    });

    it('reports a reset as ECONNRESET, which the transport retries', async () => {
      const error = await failure(fetchImpl(`${main.origin}/reset`));
      expect((error.cause as { code?: string }).code).toBe('ECONNRESET');
      const events: RequestEvent[] = [];
      const before = seen.length;
      const client = createRegistryClient({
        fetch: (input, init) => fetchImpl(String(input).replace('/v2/reset/app/tags/list', '/reset'), init),
        retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 },
        onRequest: (event) => events.push(event),
      });
      const registryError = await failure(client.listTags({ registry: main.origin.slice('http://'.length), repository: 'reset/app' }));
      expect(registryError).toBeInstanceOf(RegistryError);
      expect((registryError as RegistryError).retryable).toBe(true);
      expect(registryError.message).toMatch(/^list tags http:\/\/127\.0\.0\.1:\d+\/v2\/reset\/app\/tags\/list: fetch failed: socket hang up/);
      expect(seen.length - before).toBe(3);
    });

    it('rejects with the signal reason when aborted', async () => {
      const controller = new AbortController();
      const pending = fetchImpl(`${main.origin}/hang`, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      const error = await failure(pending);
      expect(error.name).toBe('AbortError');
    });
  });
});

describe('RegistryClient over createNodeHttpFetch', () => {
  const nodeFetch = createNodeHttpFetch();
  // Every request of these tests must go through node:http: once the registries are up (testkit
  // polls them with the global fetch), the global fetch fails if called.
  const globalFetch = globalThis.fetch;
  const forbidGlobalFetch = (): void => {
    globalThis.fetch = () => Promise.reject(new Error('the global fetch was called'));
  };
  afterAll(() => {
    globalThis.fetch = globalFetch;
  });

  describe.each(['none', 'htpasswd', 'token'] as const)('when the registry uses auth %s', (auth) => {
    let registry: RunningRegistry;
    let other: RunningRegistry;
    let client: ReturnType<typeof createRegistryClient>;
    const repo = (repository: string, on: RunningRegistry = registry): RepositoryReference => ({ registry: on.host, repository });

    beforeAll(async () => {
      globalThis.fetch = globalFetch;
      [registry, other] = await Promise.all([startRegistry({ auth }), startRegistry({ auth: 'none' })]);
      forbidGlobalFetch();
      client = clientFor(registry, {
        fetch: nodeFetch,
        keychain: staticKeychain(registry.credentials ? { [registry.host]: registry.credentials } : {}),
      });
    });
    afterAll(async () => {
      await Promise.all([registry?.stop(), other?.stop()]);
    });

    it('lists tags, resolves, gets and puts manifests', async () => {
      expect(await client.listTags(repo('never/pushed'))).toEqual([]);
      const image = await pushImage(client, repo('team/app'), { tag: '1.0.0', layerSizes: [100, 200] });
      expect(await client.listTags(repo('team/app'))).toEqual(['1.0.0']);
      expect(await client.resolveDigest({ ...repo('team/app'), tag: '1.0.0' })).toEqual({
        mediaType: MediaTypes.OCI_MANIFEST,
        digest: image.digest,
        size: image.size,
      });
      const manifest = await client.getManifest({ ...repo('team/app'), tag: '1.0.0' });
      expect(manifest.digest).toBe(image.digest);
      await client.putManifest(repo('team/app'), '1.0', manifest);
      expect((await client.listTags(repo('team/app'))).sort()).toEqual(['1.0', '1.0.0']);
      expect((await client.resolveDigest({ ...repo('team/app'), tag: '1.0' }))?.digest).toBe(image.digest);
    });

    it('mounts, reads and checks blobs, and streams one in and out', async () => {
      const image = await pushImage(client, repo('mount/src'), { layerSizes: [128] });
      const layer = image.layerDigests?.[0] ?? '';
      expect(await client.mountBlob(repo('mount/dst'), layer, repo('mount/src'))).toBe(true);
      expect(await client.headBlob(repo('mount/dst'), layer)).toMatchObject({ digest: layer, size: 128 });
      expect(computeDigest(await client.getBlob(repo('mount/dst'), layer))).toBe(layer);

      const big = generated(3 * 1024 * 1024);
      const digest = `sha256:${big.digest}`;
      await client.uploadBlob(repo('stream/app'), digest, 3 * 1024 * 1024, big.stream);
      const { stream, size } = await client.openBlob(repo('stream/app'), digest);
      expect(size).toBe(3 * 1024 * 1024);
      const hash = createHash('sha256');
      for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
      expect(`sha256:${hash.digest('hex')}`).toBe(digest);
    });

    it('copies an image to another registry, streaming its blobs', async () => {
      const multi = createRegistryClient({
        fetch: nodeFetch,
        keychain: staticKeychain(registry.credentials ? { [registry.host]: registry.credentials } : {}),
      });
      const source = repo('copy/cross');
      const destination = repo('mirror/cross', other);
      const index = await pushIndex(multi, source, { tag: 'v2', layerSizes: [2 * 1024 * 1024, 100] });
      const root = await multi.getManifest({ ...source, tag: 'v2' });
      expect(await copyImage(multi, source, destination, root)).toMatchObject({ blobsMounted: 0, blobsCopied: 6, manifestsWritten: 2 });
      await multi.putManifest(destination, 'v2', root);
      expect((await multi.resolveDigest({ ...destination, tag: 'v2' }))?.digest).toBe(index.digest);
    });
  });

  describe('when the registry is overloaded', () => {
    let server: Server;
    let host: string;
    let hits = 0;
    beforeAll(async () => {
      const started = await listen((_req, res) => {
        hits += 1;
        if (hits < 3) {
          res.writeHead(503, { 'Retry-After': '0' }).end();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ name: 'busy/app', tags: ['v1'] }));
      }, []);
      server = started.server;
      host = started.origin.slice('http://'.length);
      forbidGlobalFetch();
    });
    afterAll(async () => {
      await close(server);
    });

    it('retries 503 then succeeds', async () => {
      const events: RequestEvent[] = [];
      const client = createRegistryClient({ fetch: nodeFetch, retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5 }, onRequest: (e) => events.push(e) });
      expect(await client.listTags({ registry: host, repository: 'busy/app' })).toEqual(['v1']);
      expect(events.map((e) => e.status)).toEqual([503, 503, 200]);
    });
  });
});
