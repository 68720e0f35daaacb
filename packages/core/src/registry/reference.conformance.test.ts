/**
 * Conformance of tagwright's reference grammar with the ecosystem's own test tables.
 *
 * The cases are facts taken from these public test files (the table is written here, no code is
 * copied); each row names its file and test:
 * - distribution/reference `reference_test.go` at ff14fafe2236e51c2894ac07d4bdfc778e96d682 (REF)
 * - distribution/reference `normalize_test.go` at 4894124079e525c3c3c5c8aacaa653b5499004e9 (NORM)
 * - distribution/reference `regexp_test.go` at 00a09fa3799203fc887e667b0d82142ee831939a (RE)
 * - google/go-containerregistry `pkg/name/tag_test.go`, `digest_test.go` (used by `ref_test.go`)
 *   at 00f2151379c5b4ab7c47a7340065ebe7c3d79d4f, `pkg/name/repository_test.go` at
 *   030be44e8fd5272508577ea1db54459d4c3b3b9c (GGCR)
 *
 * The peer's verdict is written in Docker's normalized form (`docker.io`, `library/` for a
 * one-component Docker Hub name), which is what `parseReference` returns: distribution's
 * un-normalized `Parse` splits `foo/bar` into domain `foo`, but every Docker client (and
 * `ParseNormalizedNamed`) reads it as `docker.io/foo/bar`. Every divergence is marked with what
 * tagwright does instead and why; the counts at the end are the figures reported in issue 12.
 */
import { describe, expect, it } from 'vitest';
import { validateDigest } from '../grammar/digest.js';
import { validateTag } from '../grammar/tag.js';
import { isImageId, isRegistryHost } from '../grammar/name.js';
import { parseReference, parseRepository } from './reference.js';
import type { ImageReference } from './reference.js';

const REF = 'distribution/reference reference_test.go';
const NORM = 'distribution/reference normalize_test.go';
const RE = 'distribution/reference regexp_test.go';
const GGCR = 'google/go-containerregistry pkg/name';

/** How a case is run: as an image reference, a repository, a registry host, an image ID, a tag or a digest. */
type Check = 'reference' | 'repository' | 'host' | 'image-id' | 'tag' | 'digest';
type Verdict = ImageReference | 'error' | 'valid';

interface Case {
  from: string;
  check: Check;
  input: string;
  peer: Verdict;
  /** Set for an intended divergence: what tagwright gives, and why. */
  ours?: Verdict;
  why?: string;
}

const ERR = 'error' as const;
const VALID = 'valid' as const;
const F64 = 'f'.repeat(64);
const F128 = 'f'.repeat(128);
const BE = 'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912';
const DBCC = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const HEXNAME = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';
const DEADB = 'sha256:deadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33f';
const SONG = 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev';
const NS255 =
  'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(4).replace(/_$/, '') + '/docker';

function r(registry: string, repository: string, tag?: string, digest?: string): ImageReference {
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}
const hub = (repository: string, tag?: string, digest?: string): ImageReference =>
  r('docker.io', repository.includes('/') ? repository : `library/${repository}`, tag, digest);

/** Why an uppercase first component is not a registry host for tagwright. */
const UPPER_HOST =
  'Docker takes an uppercase first component without "." or ":" for a registry host; tagwright reads it as a Docker Hub namespace and refuses it as uppercase (a registry is named with a dot, a port or localhost)';
const PORT_DIGITS = 'the regexp accepts any number of port digits and leaves the check to a later validation (the test says so); tagwright refuses a port of more than 5 digits at once';

const cases: Case[] = [
  // reference_test.go TestReferenceParse
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'test_com', peer: hub('test_com') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'test.com:tag', peer: hub('test.com', 'tag') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'test.com:5000', peer: hub('test.com', '5000') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'test.com/repo:tag', peer: r('test.com', 'repo', 'tag') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'test:5000/repo', peer: r('test:5000', 'repo') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'test:5000/repo:tag', peer: r('test:5000', 'repo', 'tag') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `test:5000/repo@sha256:${F64}`, peer: r('test:5000', 'repo', undefined, `sha256:${F64}`) },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `test:5000/repo:tag@sha256:${F64}`, peer: r('test:5000', 'repo', 'tag', `sha256:${F64}`) },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '', peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: ':justtag', peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `@sha256:${F64}`, peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `repo@sha256:${'f'.repeat(34)}`, peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `validname@invaliddigest:${F64}`, peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'Uppercase:tag', peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'test:5000/Uppercase/lowercase:tag', peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'lowercase:Uppercase', peer: hub('lowercase', 'Uppercase') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `domain/${'a'.repeat(256)}:tag`, peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `${'a/'.repeat(127)}a:tag-puts-this-over-max`, peer: hub(`${'a/'.repeat(127)}a`, 'tag-puts-this-over-max') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'aa/asdf$$^/aa', peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'sub-dom1.foo.com/bar/baz/quux', peer: r('sub-dom1.foo.com', 'bar/baz/quux') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'sub-dom1.foo.com/bar/baz/quux:some-long-tag', peer: r('sub-dom1.foo.com', 'bar/baz/quux', 'some-long-tag') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'b.gcr.io/test.example.com/my-app:test.example.com', peer: r('b.gcr.io', 'test.example.com/my-app', 'test.example.com') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'xn--n3h.com/myimage:xn--n3h.com', peer: r('xn--n3h.com', 'myimage', 'xn--n3h.com') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${F128}`, peer: r('xn--7o8h.com', 'myimage', 'xn--7o8h.com', `sha512:${F128}`) },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'foo_bar.com:8080', peer: hub('foo_bar.com', '8080') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: 'foo/foo_bar.com:8080', peer: hub('foo/foo_bar.com', '8080') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '192.168.1.1', peer: hub('192.168.1.1') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '192.168.1.1:tag', peer: hub('192.168.1.1', 'tag') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '192.168.1.1:5000', peer: hub('192.168.1.1', '5000') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '192.168.1.1/repo', peer: r('192.168.1.1', 'repo') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '192.168.1.1:5000/repo', peer: r('192.168.1.1:5000', 'repo') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '192.168.1.1:5000/repo:5050', peer: r('192.168.1.1:5000', 'repo', '5050') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[2001:db8::1]', peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[2001:db8::1]:5000', peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[2001:db8::1]:tag', peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[2001:db8::1]/repo', peer: r('[2001:db8::1]', 'repo') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[2001:db8:1:2:3:4:5:6]/repo:tag', peer: r('[2001:db8:1:2:3:4:5:6]', 'repo', 'tag') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[2001:db8::1]:5000/repo', peer: r('[2001:db8::1]:5000', 'repo') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[2001:db8::1]:5000/repo:tag', peer: r('[2001:db8::1]:5000', 'repo', 'tag') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `[2001:db8::1]:5000/repo@sha256:${F64}`, peer: r('[2001:db8::1]:5000', 'repo', undefined, `sha256:${F64}`) },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `[2001:db8::1]:5000/repo:tag@sha256:${F64}`, peer: r('[2001:db8::1]:5000', 'repo', 'tag', `sha256:${F64}`) },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[2001:db8::]:5000/repo', peer: r('[2001:db8::]:5000', 'repo') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[::1]:5000/repo', peer: r('[::1]:5000', 'repo') },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[fe80::1%eth0]:5000/repo', peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: '[fe80::1%@invalidzone]:5000/repo', peer: ERR },
  { from: `${REF} TestReferenceParse`, check: 'reference', input: `example.com/${'a'.repeat(255)}:tag`, peer: r('example.com', 'a'.repeat(255), 'tag') },
  // reference_test.go TestWithNameFailure (a name without tag or digest)
  { from: `${REF} TestWithNameFailure`, check: 'repository', input: 'example.com/repo:tag', peer: ERR },
  { from: `${REF} TestWithNameFailure`, check: 'repository', input: `example.com/${'a'.repeat(256)}`, peer: ERR },
  { from: `${REF} TestWithNameFailure`, check: 'repository', input: `validname@invaliddigest:${F64}`, peer: ERR },
  // reference_test.go TestDomainAndPath, TestSerialization, TestWithTag, TestWithDigest
  { from: `${REF} TestDomainAndPath`, check: 'repository', input: 'test.com/foo', peer: r('test.com', 'foo') },
  { from: `${REF} TestDomainAndPath`, check: 'repository', input: 'test_com/foo', peer: hub('test_com/foo') },
  { from: `${REF} TestDomainAndPath`, check: 'repository', input: 'test:8080/foo', peer: r('test:8080', 'foo') },
  { from: `${REF} TestDomainAndPath`, check: 'repository', input: 'test.com:8080/foo', peer: r('test.com:8080', 'foo') },
  { from: `${REF} TestDomainAndPath`, check: 'repository', input: 'test-com:8080/foo', peer: r('test-com:8080', 'foo') },
  { from: `${REF} TestDomainAndPath`, check: 'repository', input: 'xn--n3h.com:18080/foo', peer: r('xn--n3h.com:18080', 'foo') },
  { from: `${REF} TestSerialization`, check: 'reference', input: 'example.com:8000/named:tagged', peer: r('example.com:8000', 'named', 'tagged') },
  { from: `${REF} TestSerialization`, check: 'reference', input: 'other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112', peer: r('other.com', 'named', undefined, 'sha256:1234567890098765432112345667890098765432112345667890098765432112') },
  { from: `${REF} TestWithTag`, check: 'tag', input: 'tag2', peer: VALID },
  { from: `${REF} TestWithTag`, check: 'tag', input: 'TAG5', peer: VALID },
  {
    from: `${REF} TestWithDigest`,
    check: 'digest',
    input: 'sha256:1234567890098765432112345667890098765',
    peer: VALID,
    ours: ERR,
    why: 'WithDigest checks only the digest shape (32+ hex); tagwright checks the registered length (sha256 = 64 hex, image-spec), since it sends the digest to a registry',
  },

  // normalize_test.go TestValidateReferenceName
  ...['docker/docker', 'library/debian', 'debian', 'docker.io/docker/docker', 'docker.io/library/debian', 'docker.io/debian', 'index.docker.io/docker/docker', 'index.docker.io/library/debian', 'index.docker.io/debian'].map(
    (input): Case => ({ from: `${NORM} TestValidateReferenceName`, check: 'reference', input, peer: hub(input.replace(/^(index\.)?docker\.io\//, '')) }),
  ),
  ...['127.0.0.1:5000/docker/docker', '127.0.0.1:5000/library/debian', '127.0.0.1:5000/debian', '192.168.0.1:8/debian', '192.168.0.2:25000/debian', '[fc00::1]:5000/docker', '[fc00::1]:5000/docker/docker', '[fc00:1:2:3:4:5:6:7]:5000/library/debian'].map(
    (input): Case => {
      const slash = input.indexOf('/');
      return { from: `${NORM} TestValidateReferenceName`, check: 'reference', input, peer: r(input.slice(0, slash), input.slice(slash + 1)) };
    },
  ),
  { from: `${NORM} TestValidateReferenceName`, check: 'reference', input: '192.168.0.1', peer: hub('192.168.0.1') },
  { from: `${NORM} TestValidateReferenceName`, check: 'reference', input: '192.168.0.1:80', peer: hub('192.168.0.1', '80') },
  { from: `${NORM} TestValidateReferenceName`, check: 'reference', input: SONG, peer: hub(SONG) },
  { from: `${NORM} TestValidateReferenceName`, check: 'reference', input: `docker.io/${HEXNAME}`, peer: hub(HEXNAME) },
  { from: `${NORM} TestValidateReferenceName`, check: 'reference', input: 'Docker/docker', peer: r('Docker', 'docker'), ours: ERR, why: UPPER_HOST },
  { from: `${NORM} TestValidateReferenceName`, check: 'reference', input: 'DOCKER/docker', peer: r('DOCKER', 'docker'), ours: ERR, why: UPPER_HOST },
  ...[
    'https://github.com/docker/docker',
    'docker/Docker',
    '-docker',
    '-docker/docker',
    '-docker.io/docker/docker',
    'docker///docker',
    'docker.io/docker/Docker',
    'docker.io/docker///docker',
    '[fc00::1]',
    '[fc00::1]:5000',
    'fc00::1:5000/debian',
    '[fe80::1%eth0]:5000/debian',
    '[2001:db8:3:4::192.0.2.33]:5000/debian',
    HEXNAME,
  ].map((input): Case => ({ from: `${NORM} TestValidateReferenceName`, check: 'reference', input, peer: ERR })),
  // normalize_test.go TestValidateRemoteName
  ...['docker-rules/docker', 'docker---rules/docker', 'doc/docker', 'd/docker', 'jess/t', 'dock__er/docker'].map(
    (input): Case => ({ from: `${NORM} TestValidateRemoteName`, check: 'reference', input, peer: hub(input) }),
  ),
  ...['-docker-/docker', 'docker-/docker', '____/____', '_docker/_docker', 'dock..er/docker', 'dock_.er/docker', 'dock-.er/docker', 'docker/', NS255].map(
    (input): Case => ({ from: `${NORM} TestValidateRemoteName`, check: 'reference', input, peer: ERR }),
  ),
  // normalize_test.go TestParseRepositoryInfo (familiar, full and ambiguous spellings)
  ...[
    ['fooo/bar', 'docker.io/fooo/bar', 'index.docker.io/fooo/bar'],
    ['ubuntu', 'docker.io/library/ubuntu', 'library/ubuntu'],
    ['nonlibrary/ubuntu', 'docker.io/nonlibrary/ubuntu'],
    ['other/library', 'docker.io/other/library'],
    ['ubuntu-12.04-base', 'docker.io/library/ubuntu-12.04-base', 'index.docker.io/library/ubuntu-12.04-base'],
    ['foo', 'docker.io/library/foo', 'docker.io/foo'],
    ['library/foo/bar', 'docker.io/library/foo/bar'],
    ['store/foo/bar', 'docker.io/store/foo/bar'],
  ].flatMap((spellings) =>
    spellings.map((input): Case => ({ from: `${NORM} TestParseRepositoryInfo`, check: 'repository', input, peer: hub(spellings[0]!) })),
  ),
  ...[
    ['127.0.0.1:8000', 'private/moonbase'],
    ['127.0.0.1:8000', 'privatebase'],
    ['example.com', 'private/moonbase'],
    ['example.com', 'privatebase'],
    ['example.com:8000', 'private/moonbase'],
    ['example.com:8000', 'privatebasee'],
  ].map(([registry, repository]): Case => ({ from: `${NORM} TestParseRepositoryInfo`, check: 'repository', input: `${registry}/${repository}`, peer: r(registry!, repository!) })),
  { from: `${NORM} TestParseRepositoryInfo`, check: 'repository', input: 'Foo/bar', peer: r('Foo', 'bar'), ours: ERR, why: UPPER_HOST },
  { from: `${NORM} TestParseRepositoryInfo`, check: 'repository', input: 'FOO/bar', peer: r('FOO', 'bar'), ours: ERR, why: UPPER_HOST },
  // normalize_test.go TestParseReferenceWithTagAndDigest, TestInvalidReferenceComponents
  {
    from: `${NORM} TestParseReferenceWithTagAndDigest`,
    check: 'reference',
    input: 'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa',
    peer: hub('busybox', 'latest', 'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa'),
  },
  { from: `${NORM} TestInvalidReferenceComponents`, check: 'reference', input: '-foo', peer: ERR },
  { from: `${NORM} TestInvalidReferenceComponents`, check: 'tag', input: '-foo', peer: ERR },
  { from: `${NORM} TestInvalidReferenceComponents`, check: 'digest', input: 'foo', peer: ERR },
  // normalize_test.go TestParseAnyReference
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: 'redis', peer: hub('redis') },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: 'redis:latest', peer: hub('redis', 'latest') },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: 'docker.io/library/redis:latest', peer: hub('redis', 'latest') },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: `redis@sha256:${DBCC}`, peer: hub('redis', undefined, `sha256:${DBCC}`) },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: `docker.io/library/redis@sha256:${DBCC}`, peer: hub('redis', undefined, `sha256:${DBCC}`) },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: 'dmcgowan/myapp', peer: hub('dmcgowan/myapp') },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: 'dmcgowan/myapp:latest', peer: hub('dmcgowan/myapp', 'latest') },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: 'docker.io/mcgowan/myapp:latest', peer: hub('mcgowan/myapp', 'latest') },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: `dmcgowan/myapp@sha256:${DBCC}`, peer: hub('dmcgowan/myapp', undefined, `sha256:${DBCC}`) },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: `docker.io/dmcgowan/myapp@sha256:${DBCC}`, peer: hub('dmcgowan/myapp', undefined, `sha256:${DBCC}`) },
  {
    from: `${NORM} TestParseAnyReference`,
    check: 'reference',
    input: DBCC,
    peer: VALID,
    ours: ERR,
    why: 'ParseAnyReference reads a bare 64-hex string as a local image ID (a digest-only reference); tagwright always needs a repository on a registry and refuses it, as ParseNormalizedNamed does',
  },
  {
    from: `${NORM} TestParseAnyReference`,
    check: 'reference',
    input: `sha256:${DBCC}`,
    peer: VALID,
    ours: ERR,
    why: 'ParseAnyReference reads a digest alone as a digest-only reference; tagwright needs a repository and refuses it with "is a digest", instead of reading repository sha256 with a tag',
  },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: DBCC.slice(0, 63), peer: hub(DBCC.slice(0, 63)) },
  { from: `${NORM} TestParseAnyReference`, check: 'reference', input: 'dbcc1', peer: hub('dbcc1') },
  // normalize_test.go TestNormalizedSplitHostname
  ...[
    ['test.com/foo', r('test.com', 'foo')],
    ['test_com/foo', hub('test_com/foo')],
    ['docker/migrator', hub('docker/migrator')],
    ['test.com:8080/foo', r('test.com:8080', 'foo')],
    ['test-com:8080/foo', r('test-com:8080', 'foo')],
    ['foo', hub('foo')],
    ['xn--n3h.com/foo', r('xn--n3h.com', 'foo')],
    ['xn--n3h.com:18080/foo', r('xn--n3h.com:18080', 'foo')],
    ['docker.io/foo', hub('foo')],
    ['docker.io/library/foo', hub('foo')],
    ['docker.io/library/foo/bar', hub('library/foo/bar')],
  ].map(([input, peer]): Case => ({ from: `${NORM} TestNormalizedSplitHostname`, check: 'repository', input: input as string, peer: peer as ImageReference })),

  // regexp_test.go TestDomainRegexp
  ...[
    ['test.com', true], ['test.com:10304', true], ['test.com:http', false], ['localhost', true], ['localhost:8080', true],
    ['a', true], ['a.b', true], ['ab.cd.com', true], ['a-b.com', true], ['-ab.com', false], ['ab-.com', false],
    ['ab.c-om', true], ['ab.-com', false], ['ab.com-', false], ['0101.com', true], ['001a.com', true], ['b.gbc.io:443', true],
    ['b.gbc.io', true], ['xn--n3h.com', true], ['Asdf.com', true], ['192.168.1.1:75050', true], ['[fd00:1:2::3]:75050', true],
    ['[fd00:1:2::3]75050', false], ['[fd00:1:2::3]::75050', false], ['[fd00:1:2::3%eth0]:75050', false], ['[fd00123123123]:75050', true],
    ['[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050', true], ['fd00:1:2::3:75050', false],
  ].map(([input, match]): Case => ({ from: `${RE} TestDomainRegexp`, check: 'host', input: input as string, peer: match ? VALID : ERR })),
  { from: `${RE} TestDomainRegexp`, check: 'host', input: '192.168.1.1:750050', peer: VALID, ours: ERR, why: PORT_DIGITS },
  { from: `${RE} TestDomainRegexp`, check: 'host', input: '[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505', peer: VALID, ours: ERR, why: PORT_DIGITS },
  // regexp_test.go TestFullNameRegexp (a name: accepted or not)
  ...[
    ['', false], ['short', true], ['simple/name', true], ['library/ubuntu', true], ['docker/stevvooe/app', true],
    ['aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb', true], ['aa/aa/bb/bb/bb', true], ['a/a/a/a', true], ['a/a/a/a/', false],
    ['a//a/a', false], ['a', true], ['a/aa', true], ['a/aa/a', true], ['foo.com', true], ['foo.com/', false],
    ['foo.com:8080/bar', true], ['foo.com:http/bar', false], ['foo.com/bar', true], ['foo.com/bar/baz', true],
    ['localhost:8080/bar', true], ['sub-dom1.foo.com/bar/baz/quux', true], ['blog.foo.com/bar/baz', true], ['a^a', false],
    ['aa/asdf$$^/aa', false], ['asdf$$^/aa', false], ['aa-a/a', true], ['a-/a/a/a', false], ['foo.com/a-/a/a', false],
    ['-foo/bar', false], ['foo/bar-', false], ['foo-/bar', false], ['foo/-bar', false], ['_foo/bar', false], ['foo_bar', true],
    ['foo_bar.com', true], ['foo_bar.com:8080', false], ['foo_bar.com:8080/app', false], ['foo.com/foo_bar', true],
    ['____/____', false], ['_docker/_docker', false], ['docker_/docker_', false], ['b.gcr.io/test.example.com/my-app', true],
    ['xn--n3h.com/myimage', true], ['xn--7o8h.com/myimage', true], ['example.com/xn--7o8h.com/myimage', true],
    ['example.com/some_separator__underscore/myimage', true], ['example.com/__underscore/myimage', false],
    ['example.com/..dots/myimage', false], ['example.com/.dots/myimage', false], ['example.com/nodouble..dots/myimage', false],
    ['docker./docker', false], ['.docker/docker', false], ['docker-/docker', false], ['-docker/docker', false],
    ['do..cker/docker', false], ['do__cker:8080/docker', false], ['do__cker/docker', true],
    ['registry.io/foo/project--id.module--name.ver---sion--name', true], ['Asdf.com/foo/bar', true], ['Foo/FarB', false],
  ].map(([input, match]): Case => ({ from: `${RE} TestFullNameRegexp`, check: 'repository', input: input as string, peer: match ? VALID : ERR })),
  {
    from: `${RE} TestFullNameRegexp`,
    check: 'repository',
    input: `${'a/'.repeat(128)}a`,
    peer: VALID,
    ours: ERR,
    why: 'the name regexp has no length limit; the length is checked after it (Parse refuses a path over 255 characters, reference_test.go), and tagwright checks both at once',
  },
  // regexp_test.go TestReferenceRegexp
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: 'registry.com:8080/myapp:tag', peer: r('registry.com:8080', 'myapp', 'tag') },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: `registry.com:8080/myapp@${BE}`, peer: r('registry.com:8080', 'myapp', undefined, BE) },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: `registry.com:8080/myapp:tag2@${BE}`, peer: r('registry.com:8080', 'myapp', 'tag2', BE) },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: 'registry.com:8080/myapp@sha256:badbadbadbad', peer: ERR },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: 'registry.com:8080/myapp:invalid~tag', peer: ERR },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: 'bad_hostname.com:8080/myapp:tag', peer: ERR },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: `localhost:8080@${BE}`, peer: hub('localhost', '8080', BE) },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: `localhost:8080/name@${BE}`, peer: r('localhost:8080', 'name', undefined, BE) },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: `localhost:http/name@${BE}`, peer: ERR },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: `localhost@${BE}`, peer: hub('localhost', undefined, BE) },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: 'registry.com:8080/myapp@bad', peer: ERR },
  { from: `${RE} TestReferenceRegexp`, check: 'reference', input: 'registry.com:8080/myapp@2bad', peer: ERR },
  // regexp_test.go TestIdentifierRegexp
  { from: `${RE} TestIdentifierRegexp`, check: 'image-id', input: 'da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821', peer: VALID },
  { from: `${RE} TestIdentifierRegexp`, check: 'image-id', input: '7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C', peer: ERR },
  { from: `${RE} TestIdentifierRegexp`, check: 'image-id', input: 'da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf', peer: ERR },
  { from: `${RE} TestIdentifierRegexp`, check: 'image-id', input: 'sha256:da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821', peer: ERR },
  { from: `${RE} TestIdentifierRegexp`, check: 'image-id', input: 'da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482', peer: ERR },

  // go-containerregistry pkg/name tag_test.go
  ...[
    ['gcr.io/g-convoy/hello-world:latest', r('gcr.io', 'g-convoy/hello-world', 'latest')],
    ['gcr.io/google.com/g-convoy/hello-world:latest', r('gcr.io', 'google.com/g-convoy/hello-world', 'latest')],
    ['gcr.io/project-id/with-nums:v2', r('gcr.io', 'project-id/with-nums', 'v2')],
    ['us.gcr.io/project-id/image:with.period.in.tag', r('us.gcr.io', 'project-id/image', 'with.period.in.tag')],
    ['gcr.io/project-id/image:w1th-alpha_num3ric.PLUScaps', r('gcr.io', 'project-id/image', 'w1th-alpha_num3ric.PLUScaps')],
    ['domain.with.port:9001/image:latest', r('domain.with.port:9001', 'image', 'latest')],
    ['namespace/pathcomponent/image', hub('namespace/pathcomponent/image')],
    ['library/ubuntu', hub('ubuntu')],
    ['gcr.io/project-id/implicit-latest', r('gcr.io', 'project-id/implicit-latest')],
    ['www.example.test:12345/repo/path', r('www.example.test:12345', 'repo/path')],
  ].map(([input, peer]): Case => ({ from: `${GGCR} tag_test.go`, check: 'reference', input: input as string, peer: peer as ImageReference })),
  ...[
    "gcr.io/project-id/bad_chars:c@n'tuse",
    'gcr.io/project-id/wrong-length:white space',
    'gcr.io/project-id/too-many-chars:thisisthetagthatneverendsitgoesonandonmyfriendsomepeoplestartedtaggingitnotknowingwhatitwasandtheyllcontinuetaggingitforeverjustbecausethisisthetagthatneverends',
  ].map((input): Case => ({ from: `${GGCR} tag_test.go`, check: 'reference', input, peer: ERR })),
  {
    from: `${GGCR} tag_test.go TestAllDefaults`,
    check: 'reference',
    input: 'ubuntu',
    peer: r('index.docker.io', 'library/ubuntu', 'latest'),
    ours: hub('ubuntu'),
    why: 'go-containerregistry spells Docker Hub index.docker.io and adds an implicit latest; tagwright spells it docker.io as distribution does and adds no tag (a caller that needs one uses latest)',
  },
  // go-containerregistry pkg/name digest_test.go (and ref_test.go, which runs the same names)
  ...[
    ['gcr.io/g-convoy/hello-world', undefined],
    ['gcr.io/google.com/project-id/hello-world', undefined],
    ['us.gcr.io/project-id/sub-repo', undefined],
    ['example.text/foo/bar', undefined],
    ['example.text/foo/bar', 'latest'],
    ['example.text:8443/foo/bar', 'latest'],
    ['example.text/foo/bar', 'v1.0.0-alpine'],
    ['namespace/pathcomponent/image', undefined],
    ['library/ubuntu', undefined],
    ['nginx', 'latest'],
    ['library/nginx', 'latest'],
  ].map(([name, tag]): Case => {
    const input = `${name}${tag ? `:${tag}` : ''}@${DEADB}`;
    const first = name!.split('/')[0]!;
    const peer = first.includes('.') ? r(first, name!.slice(first.length + 1), tag, DEADB) : hub(name!, tag, DEADB);
    return { from: `${GGCR} digest_test.go`, check: 'reference', input, peer };
  }),
  ...['gcr.io/project-id/unknown-alg@unknown:abc123', 'gcr.io/project-id/wrong-length@sha256:d34db33fd34db33f', 'gcr.io/project-id/missing-digest@'].map(
    (input): Case => ({ from: `${GGCR} digest_test.go`, check: 'reference', input, peer: ERR }),
  ),
  // go-containerregistry pkg/name repository_test.go
  ...[
    ['gcr.io/g-convoy/hello-world', r('gcr.io', 'g-convoy/hello-world')],
    ['gcr.io/google.com/project-id/hello-world', r('gcr.io', 'google.com/project-id/hello-world')],
    ['us.gcr.io/project-id/sub-repo', r('us.gcr.io', 'project-id/sub-repo')],
    ['example.text/foo/bar', r('example.text', 'foo/bar')],
    ['mirror.gcr.io/ubuntu', r('mirror.gcr.io', 'ubuntu')],
    ['index.docker.io/library/ubuntu', hub('ubuntu')],
    ['example.com/a', r('example.com', 'a')],
    ['example.com/a/b', r('example.com', 'a/b')],
    ['localhost/testimage', r('localhost', 'testimage')],
    ['namespace/pathcomponent/image', hub('namespace/pathcomponent/image')],
    ['library/ubuntu', hub('ubuntu')],
    ['ubuntu', hub('ubuntu')],
    ['a', hub('a')],
    ['0', hub('0')],
  ].map(([input, peer]): Case => ({ from: `${GGCR} repository_test.go`, check: 'repository', input: input as string, peer: peer as ImageReference })),
  ...['white space', 'b@char/image', ''].map((input): Case => ({ from: `${GGCR} repository_test.go`, check: 'repository', input, peer: ERR })),
  {
    from: `${GGCR} repository_test.go TestRepositoryBadDefaulting`,
    check: 'repository',
    input: 'index.docker.io/foo',
    peer: ERR,
    ours: hub('foo'),
    why: 'go-containerregistry refuses a one-component Docker Hub name under StrictValidation only; tagwright defaults it to library/ as Docker, distribution and go-containerregistry\'s default (weak) validation do',
  },
];

function run(check: Check, input: string): Verdict {
  try {
    switch (check) {
      case 'reference':
        return parseReference(input);
      case 'repository':
        return parseRepository(input);
      case 'host':
        return isRegistryHost(input) ? VALID : ERR;
      case 'image-id':
        return isImageId(input) ? VALID : ERR;
      case 'tag':
        validateTag(input);
        return VALID;
      case 'digest':
        validateDigest(input);
        return VALID;
    }
  } catch {
    return ERR;
  }
}

/** A peer verdict of `valid` for a reference or repository means only "accepted". */
function comparable(check: Check, verdict: Verdict, actual: Verdict): Verdict {
  return (check === 'reference' || check === 'repository') && verdict === VALID && actual !== ERR ? actual : verdict;
}

describe('reference grammar conformance', () => {
  const agreeing = cases.filter((c) => c.ours === undefined);
  const differing = cases.filter((c) => c.ours !== undefined);

  describe('when the peers and tagwright agree', () => {
    it.each(agreeing.map((c) => [c.from, c.check, c.input.length > 80 ? `${c.input.slice(0, 77)}…` : c.input, c] as const))(
      '%s: %s %j',
      (_from, check, _shown, c) => {
        const actual = run(check, c.input);
        expect(actual).toEqual(comparable(check, c.peer, actual));
      },
    );
  });

  describe('when tagwright differs on purpose', () => {
    it.each(differing.map((c) => [c.from, c.check, c.input.length > 80 ? `${c.input.slice(0, 77)}…` : c.input, c] as const))(
      '%s: %s %j',
      (_from, check, _shown, c) => {
        const actual = run(check, c.input);
        expect(actual).toEqual(c.ours);
        expect(actual).not.toEqual(comparable(check, c.peer, actual));
        expect(c.why?.length ?? 0).toBeGreaterThan(40);
      },
    );
  });

  it('covers the peers\' tables with these figures', () => {
    const sources = (prefix: string) => cases.filter((c) => c.from.startsWith(prefix));
    const figures = Object.fromEntries(
      [REF, NORM, RE, GGCR].map((prefix) => [
        prefix,
        { agree: sources(prefix).filter((c) => c.ours === undefined).length, differ: sources(prefix).filter((c) => c.ours !== undefined).length },
      ]),
    );
    expect(figures).toMatchInlineSnapshot(`
      {
        "distribution/reference normalize_test.go": {
          "agree": 103,
          "differ": 6,
        },
        "distribution/reference reference_test.go": {
          "agree": 59,
          "differ": 1,
        },
        "distribution/reference regexp_test.go": {
          "agree": 105,
          "differ": 3,
        },
        "google/go-containerregistry pkg/name": {
          "agree": 44,
          "differ": 2,
        },
      }
    `);
  });
});
