import { describe, expect, it } from 'vitest';
import { nextLink } from './client.js';
import { staticKeychain } from './keychain.js';
import { createTransport, decodeError, isInsecureRegistry, parseChallenge, parseRetryAfter } from './transport.js';

const NOW = new Date('2026-11-22T03:00:00Z');

describe('parseRetryAfter', () => {
  describe('when the header is delay-seconds or an HTTP date', () => {
    it.each([
      ['0', 0],
      ['5', 5_000],
      [' 120 ', 120_000],
      ['Sun, 22 Nov 2026 03:00:30 GMT', 30_000],
      ['Sun, 22 Nov 2026 02:59:00 GMT', 0],
    ])('reads %j as %i ms', (value, expected) => {
      expect(parseRetryAfter(value, NOW)).toBe(expected);
    });
  });

  describe('when the header is absent or unreadable', () => {
    it.each([null, undefined, '', '-1', '1.5', 'soon', '12abc'])('gives undefined for %j', (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    });
  });
});

describe('parseChallenge', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
      },
    ],
    ['Basic realm="Registry Realm"', { scheme: 'basic', params: { realm: 'Registry Realm' } }],
    ['Bearer realm=https://ghcr.io/token, service=ghcr.io', { scheme: 'bearer', params: { realm: 'https://ghcr.io/token', service: 'ghcr.io' } }],
    [
      'Bearer realm="x",scope="repository:a:pull repository:b:pull"',
      { scheme: 'bearer', params: { realm: 'x', scope: 'repository:a:pull repository:b:pull' } },
    ],
  ])('parses %j', (header, expected) => {
    expect(parseChallenge(header)).toEqual(expected);
  });

  it('gives undefined without a header', () => {
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe('nextLink', () => {
  it.each([
    ['</v2/app/tags/list?last=b&n=2>; rel="next"', 'https://ghcr.io/v2/app/tags/list?last=b&n=2'],
    ['<https://other.example/v2/app/tags/list?n=2&last=x>; rel=next', 'https://other.example/v2/app/tags/list?n=2&last=x'],
    ['</first>; rel="prev", </v2/app/tags/list?last=z>; rel="next"', 'https://ghcr.io/v2/app/tags/list?last=z'],
    ['</v2/app/tags/list?last=z>; rel="prev"', undefined],
    [null, undefined],
  ])('reads %j', (header, expected) => {
    expect(nextLink(header, 'https://ghcr.io/v2/app/tags/list')).toBe(expected);
  });
});

describe('isInsecureRegistry', () => {
  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.10.0.3', true],
    ['[::1]:5000', true],
    ['ghcr.io', false],
    ['docker.io', false],
    ['10.0.0.5:5000', false],
    ['127.0.0.1.nip.io', false],
  ])('%s -> %s', (registry, expected) => {
    expect(isInsecureRegistry(registry)).toBe(expected);
  });

  it('honours insecureRegistries', () => {
    expect(isInsecureRegistry('registry.internal:5000', ['registry.internal:5000'])).toBe(true);
  });
});

describe('decodeError', () => {
  it('names the operation, the redacted URL, the status and the OCI codes', () => {
    const body = new TextEncoder().encode(
      JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }] }),
    );
    const error = decodeError(
      'get manifest',
      'https://user:secret@ghcr.io/v2/acme/app/manifests/x?access_token=abc',
      { status: 404, headers: new Headers(), body, url: '' },
    );
    expect(error.message).toBe('get manifest https://***@ghcr.io/v2/acme/app/manifests/x?access_token=***: 404 MANIFEST_UNKNOWN: manifest unknown');
    expect(error.code).toBe('NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.ociErrors).toEqual([{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }]);
    expect(error.retryable).toBe(false);
  });

  it.each([
    [401, 'UNAUTHORIZED', false, '401 Unauthorized'],
    [403, 'UNAUTHORIZED', false, '403 Forbidden'],
    [429, 'REGISTRY_ERROR', true, '429 Too Many Requests'],
    [503, 'REGISTRY_ERROR', true, '503 Service Unavailable'],
    [400, 'REGISTRY_ERROR', false, '400 Bad Request'],
  ])('maps a bodiless %i to %s (retryable: %s)', (status, code, retryable, text) => {
    const error = decodeError('put manifest', 'http://127.0.0.1:5000/v2/a/manifests/b', {
      status,
      headers: new Headers(),
      body: new Uint8Array(),
      url: '',
    });
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toBe(`put manifest http://127.0.0.1:5000/v2/a/manifests/b: ${text}`);
  });
});

describe('createTransport', () => {
  describe('when building the API base URL', () => {
    it.each([
      ['docker.io', [], 'https://registry-1.docker.io'],
      ['ghcr.io', [], 'https://ghcr.io'],
      ['127.0.0.1:5000', [], 'http://127.0.0.1:5000'],
      ['localhost:5000', [], 'http://localhost:5000'],
      ['[::1]:5000', [], 'http://[::1]:5000'],
      ['registry.internal:5000', ['registry.internal:5000'], 'http://registry.internal:5000'],
    ])('uses %s (insecure: %j) as %s', (registry, insecureRegistries, expected) => {
      expect(createTransport({ insecureRegistries }).baseUrl(registry)).toBe(expected);
    });
  });
});

describe('createTransport concurrency per host', () => {
  /** A fetch that answers 200 after the caller releases it, recording how many were in flight per host. */
  function gatedFetch(): { fetch: typeof fetch; peak: Map<string, number>; release(): void } {
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    const waiting: (() => void)[] = [];
    let open = false;
    const fetchImpl = (async (input: string | URL | Request) => {
      const host = new URL(String(input)).host;
      inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
      peak.set(host, Math.max(peak.get(host) ?? 0, inFlight.get(host)!));
      if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight.set(host, inFlight.get(host)! - 1);
      return new Response('{}', { status: 200 });
    }) satisfies typeof fetch;
    return {
      fetch: fetchImpl,
      peak,
      release() {
        open = true;
        for (const resolve of waiting.splice(0)) resolve();
      },
    };
  }

  const get = (registry: string, path: string) => ({
    operation: 'get thing',
    registry,
    method: 'GET' as const,
    url: `http://${registry}/v2/${path}`,
    scopes: [],
    okStatuses: [200],
  });

  describe('when more requests than the limit go to one host', () => {
    it('keeps at most the limit in flight per host, each host on its own', async () => {
      const gate = gatedFetch();
      const transport = createTransport({ fetch: gate.fetch, maxConcurrencyPerHost: 2 });
      const all = Promise.all([
        ...Array.from({ length: 5 }, (_, i) => transport.request(get('127.0.0.1:5000', `a/${i}`))),
        ...Array.from({ length: 5 }, (_, i) => transport.request(get('127.0.0.1:5001', `b/${i}`))),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      gate.release();
      const responses = await all;
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(Object.fromEntries(gate.peak)).toEqual({ '127.0.0.1:5000': 2, '127.0.0.1:5001': 2 });
    });
  });

  describe('when the limit is not a whole number ≥ 1', () => {
    it.each([0, -1, 1.5, Number.NaN])('refuses %s', (value) => {
      expect(() => createTransport({ maxConcurrencyPerHost: value })).toThrow(/maxConcurrencyPerHost must be a whole number ≥ 1/);
    });
  });
});

describe('createTransport under 429', () => {
  describe('when a host answers 429 to requests beyond 2 in flight', () => {
    it('halves its bound and every request finishes after Retry-After', async () => {
      let inFlight = 0;
      let refused = 0;
      const fetchImpl = (async () => {
        inFlight += 1;
        try {
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (inFlight > 2) {
            refused += 1;
            return new Response('{"errors":[{"code":"TOOMANYREQUESTS"}]}', { status: 429, headers: { 'Retry-After': '0' } });
          }
          return new Response('{}', { status: 200 });
        } finally {
          inFlight -= 1;
        }
      }) satisfies typeof fetch;
      const transport = createTransport({ fetch: fetchImpl, maxConcurrencyPerHost: 8, retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 5 } });
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          transport.request({ operation: 'get thing', registry: '127.0.0.1:5000', method: 'GET', url: `http://127.0.0.1:5000/v2/x/${i}`, scopes: [], okStatuses: [200] }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(12).fill(200));
      expect(refused).toBeGreaterThan(0);
    });
  });
});

describe('createTransport with Basic auth and concurrent first requests', () => {
  describe('when two requests meet the Basic challenge at the same time', () => {
    it('answers both with the credentials (the second is not taken for a refusal)', async () => {
      const expected = `Basic ${Buffer.from('user:pass').toString('base64')}`;
      const fetchImpl = (async (_input: string | URL | Request, init?: RequestInit) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const authz = new Headers(init?.headers).get('authorization');
        if (authz === expected) return new Response('{}', { status: 200 });
        return new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="Registry Realm"' } });
      }) satisfies typeof fetch;
      const transport = createTransport({ fetch: fetchImpl, keychain: staticKeychain({ '127.0.0.1:5000': { username: 'user', password: 'pass' } }) });
      const get = (path: string) =>
        transport.request({ operation: 'get thing', registry: '127.0.0.1:5000', method: 'GET', url: `http://127.0.0.1:5000/v2/${path}`, scopes: [], okStatuses: [200] });
      const responses = await Promise.all([get('a'), get('b')]);
      expect(responses.map((r) => r.status)).toEqual([200, 200]);
    });
  });
});

describe('createTransport bearer tokens', () => {
  /**
   * A bearer registry double on 127.0.0.1:5000 with its token realm on 127.0.0.1:5001: a token is the
   * scope list the server granted; `grant` decides what it grants (or refuses with 401).
   */
  function bearerRegistry(grant: (asked: string[]) => string[] | 'refuse') {
    const tokenRequests: string[][] = [];
    const sent: Array<{ url: string; authorization: string | undefined }> = [];
    const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input));
      const authorization = new Headers(init?.headers).get('authorization') ?? undefined;
      sent.push({ url: url.toString(), authorization });
      if (url.host === '127.0.0.1:5001') {
        const asked = url.searchParams.getAll('scope');
        tokenRequests.push(asked);
        const granted = grant(asked);
        if (granted === 'refuse') return new Response('{"errors":[{"code":"DENIED"}]}', { status: 401 });
        return new Response(JSON.stringify({ token: `granted ${granted.join(' ')}`, expires_in: 300 }), { status: 200 });
      }
      const needed = decodeURIComponent(url.searchParams.get('needs') ?? '');
      const held = authorization?.replace(/^Bearer granted /, '').split(' ') ?? [];
      if (!authorization || !held.includes(needed)) {
        return new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', {
          status: 401,
          headers: { 'WWW-Authenticate': `Bearer realm="http://127.0.0.1:5001/token",service="double",scope="${needed}"` },
        });
      }
      return new Response('{}', { status: 200 });
    }) satisfies typeof fetch;
    const transport = createTransport({ fetch: fetchImpl, keychain: staticKeychain({ '127.0.0.1:5000': { username: 'u', password: 'p' } }) });
    const call = (scope: string) =>
      transport.request({
        operation: 'get thing',
        registry: '127.0.0.1:5000',
        method: 'GET',
        url: `http://127.0.0.1:5000/v2/thing?needs=${encodeURIComponent(scope)}`,
        scopes: [scope],
        okStatuses: [200],
      });
    return { transport, call, tokenRequests, sent };
  }

  describe('when the token server refuses the wider scope set', () => {
    it('asks again for exactly the scopes of the request', async () => {
      const double = bearerRegistry((asked) => (asked.length > 1 ? 'refuse' : asked));
      double.transport.expectScopes('127.0.0.1:5000', ['repository:b:pull,push']);

      const response = await double.call('repository:a:pull');

      expect(response.status).toBe(200);
      expect(double.tokenRequests).toEqual([['repository:a:pull', 'repository:b:pull,push'], ['repository:a:pull']]);
    });
  });

  describe('when the registry refuses a token that should have covered the request (granted less than asked)', () => {
    it('drops it and asks for a token of exactly the request scopes', async () => {
      // Asked a:pull and b:pull,push together, the server grants a:pull only; alone, it grants b:pull,push.
      const double = bearerRegistry((asked) => (asked.length > 1 ? asked.filter((scope) => scope.startsWith('repository:a:')) : asked));
      expect((await double.call('repository:a:pull')).status).toBe(200);

      const response = await double.call('repository:b:pull,push');

      expect(response.status).toBe(200);
      expect(double.tokenRequests).toEqual([['repository:a:pull'], ['repository:a:pull', 'repository:b:pull,push'], ['repository:b:pull,push']]);
    });
  });

  describe('when requests on one host need the same token at once', () => {
    it('asks for it once, and sends it to that host only', async () => {
      const double = bearerRegistry((asked) => asked);
      await double.call('repository:a:pull');

      await Promise.all(Array.from({ length: 5 }, () => double.call('repository:b:pull')));

      expect(double.tokenRequests).toEqual([['repository:a:pull'], ['repository:a:pull', 'repository:b:pull']]);
      expect(double.sent.filter((request) => request.authorization?.startsWith('Bearer')).every((request) => request.url.startsWith('http://127.0.0.1:5000/'))).toBe(true);
    });
  });
});
