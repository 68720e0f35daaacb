import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../errors.js';
import { formatReference, parseReference, parseRepository, validateDigest, validateTag } from './reference.js';

const SHA = `sha256:${'a'.repeat(64)}`;
const SHA512 = `sha512:${'b'.repeat(128)}`;

describe('parseReference', () => {
  describe('when the input is valid', () => {
    it.each([
      ['alpine', { registry: 'docker.io', repository: 'library/alpine' }],
      ['alpine:3.20', { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }],
      ['library/alpine:3', { registry: 'docker.io', repository: 'library/alpine', tag: '3' }],
      ['bitnami/redis:7.2', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.2' }],
      ['docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
      ['index.docker.io/library/alpine:edge', { registry: 'docker.io', repository: 'library/alpine', tag: 'edge' }],
      ['ghcr.io/acme/app:1.2.3', { registry: 'ghcr.io', repository: 'acme/app', tag: '1.2.3' }],
      ['ghcr.io/acme/team/app', { registry: 'ghcr.io', repository: 'acme/team/app' }],
      ['localhost/app', { registry: 'localhost', repository: 'app' }],
      ['localhost:5000/app:v1', { registry: 'localhost:5000', repository: 'app', tag: 'v1' }],
      ['127.0.0.1:5000/team/app:latest', { registry: '127.0.0.1:5000', repository: 'team/app', tag: 'latest' }],
      ['[::1]:5000/app:1', { registry: '[::1]:5000', repository: 'app', tag: '1' }],
      [`ghcr.io/acme/app@${SHA}`, { registry: 'ghcr.io', repository: 'acme/app', digest: SHA }],
      [`ghcr.io/acme/app:1.2.3@${SHA}`, { registry: 'ghcr.io', repository: 'acme/app', tag: '1.2.3', digest: SHA }],
      [`127.0.0.1:5000/app@${SHA512}`, { registry: '127.0.0.1:5000', repository: 'app', digest: SHA512 }],
      ['quay.io/a_b/c__d/e-f/g.h:TAG_1.x-y', { registry: 'quay.io', repository: 'a_b/c__d/e-f/g.h', tag: 'TAG_1.x-y' }],
      ['registry.example.com:443/app', { registry: 'registry.example.com:443', repository: 'app' }],
    ])('parses %j', (input, expected) => {
      expect(parseReference(input)).toEqual(expected);
    });
  });

  describe('when the input is not a reference', () => {
    it.each([
      ['', 'parse image reference "": is empty'],
      ['ghcr.io/acme/App:1', 'parse image reference "ghcr.io/acme/App:1": repository "acme/App" must be lowercase'],
      ['MyOrg/app', 'parse image reference "MyOrg/app": repository "MyOrg/app" must be lowercase'],
      [
        'https://ghcr.io/acme/app',
        'parse image reference "https://ghcr.io/acme/app": must not start with a URL scheme; write "registry/repository[:tag][@digest]"',
      ],
      ['ghcr.io/acme/app:', 'parse image reference "ghcr.io/acme/app:": tag "" is empty'],
      [
        'ghcr.io/acme/app:-rc',
        'parse image reference "ghcr.io/acme/app:-rc": tag "-rc" must start with a letter, digit or "_"',
      ],
      [
        `ghcr.io/acme/app:${'x'.repeat(129)}`,
        `parse image reference "ghcr.io/acme/app:${'x'.repeat(129)}": tag "${'x'.repeat(129)}" is 129 characters long; at most 128 are allowed`,
      ],
      [
        'ghcr.io/acme/app@sha256:abc',
        'parse image reference "ghcr.io/acme/app@sha256:abc": digest "sha256:abc" sha256 hex must be 64 characters, got 3',
      ],
      [
        `ghcr.io/acme/app@md5:${'a'.repeat(32)}`,
        `parse image reference "ghcr.io/acme/app@md5:${'a'.repeat(32)}": digest "md5:${'a'.repeat(32)}" uses unsupported algorithm "md5"; expected sha256 or sha512`,
      ],
      ['ghcr.io/acme/app@', 'parse image reference "ghcr.io/acme/app@": digest "" is empty'],
      ['ghcr.io/', 'parse image reference "ghcr.io/": has no repository name after the registry'],
      ['ghcr.io/acme//app', 'parse image reference "ghcr.io/acme//app": repository "acme//app" has an empty path component'],
      [
        'ghcr.io/acme/-app',
        'parse image reference "ghcr.io/acme/-app": repository path component "-app" must be lowercase letters and digits separated by ".", "_", "__" or "-"',
      ],
      ['ghcr.io/acme/app name', 'parse image reference "ghcr.io/acme/app name": contains whitespace'],
      ['ex_ample.com:5000/app', 'parse image reference "ex_ample.com:5000/app": registry "ex_ample.com:5000" is not a valid host[:port]'],
    ])('rejects %j', (input, message) => {
      let thrown: unknown;
      try {
        parseReference(input);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidReferenceError);
      expect((thrown as InvalidReferenceError).code).toBe('INVALID_REFERENCE');
      expect((thrown as InvalidReferenceError).input).toBe(input);
      expect((thrown as Error).message).toBe(message);
    });

  });

  describe('when the input is a digest, an image ID or an IPv6 host with dots (issue 12, defect 3)', () => {
    const HEX = 'a'.repeat(64);
    it.each([
      [`sha256:${HEX}`, `parse image reference "sha256:${HEX}": is a digest, not an image reference; write "repository@sha256:${HEX}"`],
      [SHA512, `parse image reference "${SHA512}": is a digest, not an image reference; write "repository@${SHA512}"`],
      [HEX, `parse image reference "${HEX}": is 64 hexadecimal characters, which cannot be told from an image ID; give the registry (e.g. "docker.io/<name>")`],
      [
        '[2001:db8:3:4::192.0.2.33]:5000/debian',
        'parse image reference "[2001:db8:3:4::192.0.2.33]:5000/debian": registry "[2001:db8:3:4::192.0.2.33]:5000" is not a valid host[:port]',
      ],
    ])('rejects %j', (input, message) => {
      expect(() => parseReference(input)).toThrow(message);
      expect(() => parseRepository(input)).toThrow(expect.objectContaining({ code: 'INVALID_REPOSITORY' }));
    });

    it('accepts a 64-hex name once a registry is given', () => {
      expect(parseReference(`docker.io/${HEX}`)).toEqual({ registry: 'docker.io', repository: `library/${HEX}` });
    });
  });

  describe('when the repository path is long (issue 12, defect 4)', () => {
    it.each([
      ['ghcr.io/' + 'a'.repeat(255), 'ghcr.io', 'a'.repeat(255)],
      ['a/'.repeat(127) + 'a:tag', 'docker.io', 'a/'.repeat(127) + 'a'],
      ['registry.example.com:5000/' + 'b/'.repeat(127) + 'b', 'registry.example.com:5000', 'b/'.repeat(127) + 'b'],
    ])('accepts %j: 255 characters of path, the registry not counted', (input, registry, repository) => {
      expect(parseReference(input)).toMatchObject({ registry, repository });
    });

    it.each([
      ['ghcr.io/' + 'a'.repeat(256), 256],
      ['a/'.repeat(128) + 'a:tag', 257],
      ['x'.repeat(248), 256],
    ])('rejects %j: the path is %i characters long', (input, length) => {
      expect(() => parseReference(input)).toThrow(`repository path is ${length} characters long; at most 255 are allowed`);
    });
  });
});

describe('parseRepository', () => {
  describe('when the input is a repository', () => {
    it.each([
      ['alpine', { registry: 'docker.io', repository: 'library/alpine' }],
      ['ghcr.io/acme/app', { registry: 'ghcr.io', repository: 'acme/app' }],
      ['127.0.0.1:5000/app', { registry: '127.0.0.1:5000', repository: 'app' }],
    ])('parses %j', (input, expected) => {
      expect(parseRepository(input)).toEqual(expected);
    });
  });

  describe('when the input carries a tag or digest', () => {
    it.each([
      ['ghcr.io/acme/app:1', 'parse repository "ghcr.io/acme/app:1": must not include a tag (":1"); give the repository only'],
      [
        `ghcr.io/acme/app@${SHA}`,
        `parse repository "ghcr.io/acme/app@${SHA}": must not include a digest ("@…"); give the repository only`,
      ],
    ])('rejects %j with INVALID_REPOSITORY', (input, message) => {
      expect(() => parseRepository(input)).toThrow(message);
      expect(() => parseRepository(input)).toThrow(expect.objectContaining({ code: 'INVALID_REPOSITORY' }));
    });
  });
});

describe('formatReference', () => {
  it.each([
    [{ registry: 'docker.io', repository: 'library/alpine' }, 'docker.io/library/alpine'],
    [{ registry: 'ghcr.io', repository: 'acme/app', tag: '1.2.3' }, 'ghcr.io/acme/app:1.2.3'],
    [{ registry: '127.0.0.1:5000', repository: 'app', tag: 'v1', digest: SHA }, `127.0.0.1:5000/app:v1@${SHA}`],
  ])('formats %j', (ref, expected) => {
    expect(formatReference(ref)).toBe(expected);
    expect(parseReference(expected)).toEqual(ref);
  });
});

describe('@tagwright/core/registry', () => {
  it('re-exports the tag and digest rules of the grammar module', () => {
    expect(validateTag('1.2.3')).toBe('1.2.3');
    expect(validateDigest(SHA)).toBe(SHA);
  });
});
