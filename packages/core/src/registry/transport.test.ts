import { describe, expect, it } from 'vitest';
import { nextLink } from './client.js';
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
