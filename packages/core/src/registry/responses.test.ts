import { describe, expect, it } from 'vitest';
import { IndexSchema, TagListSchema, checkManifest, parseResponse } from './responses.js';
import { MediaTypes } from './types.js';

const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const DIGEST = `sha256:${'a'.repeat(64)}`;
const URL_ = 'http://127.0.0.1:5000/v2/acme/app/tags/list';

describe('parseResponse', () => {
  describe('when the body is a tag list', () => {
    it.each([
      [{ name: 'acme/app', tags: ['1.0.0'] }, ['1.0.0']],
      [{ name: 'acme/app', tags: null }, null],
      [{ name: 'acme/app', tags: [], extra: true }, []],
    ])('accepts %j', (body, tags) => {
      expect(parseResponse(TagListSchema, bytes(body), 'tag list', 'list tags', URL_).tags).toEqual(tags);
    });

    it.each([
      ['{}', {}, 'name: Invalid key'],
      ['a string tags', { name: 'acme/app', tags: '2.0.0' }, 'tags: Invalid type'],
      ['missing tags', { name: 'acme/app' }, 'tags: Invalid key'],
      ['an array', ['1.0.0'], 'name: Invalid key'],
      ['not JSON', 'tags: 1.0.0', 'not a JSON tag list'],
    ])('rejects %s with INVALID_RESPONSE', (_name, body, problem) => {
      expect(() => parseResponse(TagListSchema, bytes(body), 'tag list', 'list tags', URL_)).toThrow(
        expect.objectContaining({ name: 'RegistryError', code: 'INVALID_RESPONSE', message: expect.stringContaining(problem) }),
      );
    });
  });

  describe('when the body is an index', () => {
    it('rejects a descriptor whose digest or size is malformed', () => {
      const index = { schemaVersion: 2, manifests: [{ mediaType: MediaTypes.OCI_MANIFEST, digest: 'sha256', size: -1 }] };
      expect(() => parseResponse(IndexSchema, bytes(index), 'referrers index', 'list referrers', URL_)).toThrow(
        /list referrers http:\/\/127\.0\.0\.1:5000\/v2\/acme\/app\/tags\/list: the answer is not a valid referrers index \(manifests\.0\.digest: not a digest; manifests\.0\.size: /,
      );
    });
  });
});

describe('checkManifest', () => {
  const descriptor = { mediaType: MediaTypes.OCI_CONFIG, digest: DIGEST, size: 2 };

  it.each([
    [MediaTypes.OCI_MANIFEST, { schemaVersion: 2, config: descriptor, layers: [] }],
    [MediaTypes.OCI_INDEX, { schemaVersion: 2, manifests: [descriptor] }],
    ['application/vnd.example+json', { anything: true }],
  ])('accepts a well-formed %s', (mediaType, body) => {
    expect(() => checkManifest(bytes(body), mediaType, 'get manifest', URL_)).not.toThrow();
  });

  it.each([
    [MediaTypes.OCI_MANIFEST, { schemaVersion: 2, layers: [] }],
    [MediaTypes.DOCKER_MANIFEST_LIST, { schemaVersion: 2 }],
    [MediaTypes.OCI_INDEX, { schemaVersion: 1, manifests: [] }],
    ['application/vnd.example+json', '"a string"'],
  ])('rejects a malformed %s with INVALID_RESPONSE', (mediaType, body) => {
    expect(() => checkManifest(bytes(body), mediaType, 'get manifest', URL_)).toThrow(expect.objectContaining({ code: 'INVALID_RESPONSE' }));
  });
});
