import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { classifyBuild, compareVersions, imageTagOfVersion, parseReleaseRef, parseStrictVersion, versionOfTag } from './index.js';

describe('parseReleaseRef', () => {
  describe('when the ref is a release tag', () => {
    it.each([
      ['refs/tags/1.2.3', '1.2.3', false, []],
      ['refs/tags/v1.2.3', '1.2.3', false, []],
      ['refs/tags/v0.0.1', '0.0.1', false, []],
      ['refs/tags/1.2.3-rc.1', '1.2.3-rc.1', true, []],
      ['refs/tags/v2.0.0-alpha.beta.1', '2.0.0-alpha.beta.1', true, []],
      ['refs/tags/1.2.3+build.5', '1.2.3+build.5', false, ['build', '5']],
      ['refs/tags/v1.0.0-rc.1+sha.abc', '1.0.0-rc.1+sha.abc', true, ['sha', 'abc']],
    ])('reads %s as release %s', (ref, version, isPrerelease, build) => {
      const c = parseReleaseRef(ref);
      expect(c.kind).toBe('release');
      expect(c.version?.version).toBe(version);
      expect(c.version?.isPrerelease).toBe(isPrerelease);
      expect(c.version?.build).toEqual(build);
      expect(c.tagName).toBe(ref.slice('refs/tags/'.length));
    });

    it('reads major, minor, patch and pre-release identifiers', () => {
      const c = parseReleaseRef('refs/tags/v10.20.30-rc.7');
      expect(c.version).toMatchObject({ major: 10, minor: 20, patch: 30, prerelease: ['rc', 7] });
    });
  });

  describe('when the tag is not a SemVer 2.0 version', () => {
    it.each([
      'refs/tags/nightly',
      'refs/tags/1.2',
      'refs/tags/01.2.3',
      'refs/tags/1.2.3-01',
      'refs/tags/V1.2.3',
      'refs/tags/vv1.2.3',
      'refs/tags/=1.2.3',
      'refs/tags/release-1.2.3',
      'refs/tags/1.2.3-',
    ])('classifies %s as a tag without a version', (ref) => {
      const c = parseReleaseRef(ref);
      expect(c).toEqual({ ref, kind: 'tag', tagName: ref.slice('refs/tags/'.length) });
    });
  });

  describe('when a tag prefix is given', () => {
    it.each([
      ['refs/tags/api-1.2.3', 'release', '1.2.3'],
      ['refs/tags/api-v1.2.3', 'release', '1.2.3'],
      ['refs/tags/api/v2.0.0-rc.1', 'tag', undefined],
      ['refs/tags/1.2.3', 'tag', undefined],
      ['refs/tags/web-1.2.3', 'tag', undefined],
    ])('classifies %s as %s', (ref, kind, version) => {
      const c = parseReleaseRef(ref, { tagPrefix: 'api-' });
      expect(c.kind).toBe(kind);
      expect(c.version?.version).toBe(version);
    });

    it('reads a monorepo tag with a slash prefix', () => {
      expect(parseReleaseRef('refs/tags/api/v2.0.0-rc.1', { tagPrefix: 'api/' }).version?.version).toBe('2.0.0-rc.1');
    });
  });

  describe('when the ref is a branch, a pull request or something else', () => {
    it.each([
      ['refs/heads/main', { kind: 'branch', branch: 'main' }],
      ['refs/heads/feature/x', { kind: 'branch', branch: 'feature/x' }],
      ['refs/heads/v1.2.3', { kind: 'branch', branch: 'v1.2.3' }],
      ['refs/pull/42/merge', { kind: 'pull-request', prNumber: 42 }],
      ['refs/pull/7/head', { kind: 'pull-request', prNumber: 7 }],
      ['refs/pull/042/merge', { kind: 'other' }],
      ['refs/pull/42/other', { kind: 'other' }],
      ['refs/notes/commits', { kind: 'other' }],
      ['refs/remotes/origin/main', { kind: 'other' }],
      ['main', { kind: 'other' }],
    ])('classifies %s', (ref, expected) => {
      expect(parseReleaseRef(ref)).toEqual({ ref, ...expected });
    });
  });

  describe('when the ref is malformed', () => {
    it.each([
      ['', 'is empty'],
      ['refs/heads/my branch', 'contains whitespace'],
      ['refs/heads/a\tb', 'contains a control character'],
      ['refs/heads/a\u0000b', 'contains a control character'],
      ['refs/heads/a..b', 'contains ".."'],
      ['refs/tags/v1.2.3^{}', 'contains "^"'],
      ['refs/heads/a@{1}', 'contains "@{"'],
      ['refs/heads/a:b', 'contains ":"'],
      ['refs/heads/a*', 'contains "*"'],
      ['refs/heads/', 'has an empty path component'],
      ['refs//heads/x', 'has an empty path component'],
      ['refs/heads/.hidden', 'starting with "."'],
      ['refs/heads/x.lock', 'ending with ".lock"'],
      ['refs/heads/x.', 'ends with "."'],
    ])('throws a ConfigurationError naming %j', (ref, problem) => {
      let thrown: unknown;
      try {
        parseReleaseRef(ref);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigurationError);
      expect((thrown as ConfigurationError).code).toBe('INVALID_INPUT');
      expect((thrown as Error).message).toContain(`parse ref ${JSON.stringify(ref)}: `);
      expect((thrown as Error).message).toContain(problem);
    });
  });
});

describe('versionOfTag', () => {
  describe('when comparing image tags with a release', () => {
    it.each([
      ['1.2.3', '', '1.2.3'],
      ['v1.2.3', '', '1.2.3'],
      ['v1.2.3', 'v', '1.2.3'],
      ['1.2.3', 'v', '1.2.3'],
      ['1.2.3-build.5', '', '1.2.3-build.5'],
      ['api-1.2.3', 'api-', '1.2.3'],
      ['api-v1.2.3', 'api-', '1.2.3'],
    ])('reads %s (prefix %j) as %s', (tag, prefix, version) => {
      expect(versionOfTag(tag, prefix)?.version).toBe(version);
    });

    it.each([
      ['latest', ''],
      ['sha-abc1234', ''],
      ['staging', ''],
      ['1.2', ''],
      ['1', ''],
      ['pr-12', ''],
      ['1.2.3', 'api-'],
      ['prod-20261122-abc1234', ''],
    ])('ignores the non-version tag %s (prefix %j)', (tag, prefix) => {
      expect(versionOfTag(tag, prefix)).toBeUndefined();
    });

    it('treats v1.2.3 and 1.2.3 as the same version', () => {
      const a = versionOfTag('v1.2.3');
      const b = versionOfTag('1.2.3');
      expect(a && b && compareVersions(a, b)).toBe(0);
    });
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.2.3', '1.2.4', -1],
    ['1.3.0', '1.2.9', 1],
    ['1.2.3-rc.1', '1.2.3', -1],
    ['1.2.3-rc.2', '1.2.3-rc.10', -1],
    ['1.2.3+build.5', '1.2.3', 0],
    ['2.0.0', '10.0.0', -1],
  ])('orders %s against %s as %i (SemVer §11)', (a, b, expected) => {
    const va = parseStrictVersion(a);
    const vb = parseStrictVersion(b);
    expect(va && vb && Math.sign(compareVersions(va, vb))).toBe(expected);
  });
});

describe('imageTagOfVersion', () => {
  it.each([
    ['1.2.3', '', '1.2.3'],
    ['1.2.3', 'v', 'v1.2.3'],
    ['1.2.3+build.5', '', '1.2.3'],
    ['1.2.3+build.5', 'v', 'v1.2.3'],
    ['1.2.3-rc.1+build.5', 'v', 'v1.2.3-rc.1'],
    ['1.2.3-rc.1+exp.sha.5114f85', 'api-', 'api-1.2.3-rc.1'],
  ])('writes %s with prefix %j as %s (build metadata is not part of the tag, SemVer §10)', (version, prefix, tag) => {
    expect(imageTagOfVersion(version, prefix)).toBe(tag);
  });
});

describe('classifyBuild', () => {
  const sha = 'a'.repeat(40);
  it.each([
    // event, ref, expected
    [undefined, 'refs/heads/main', { kind: 'branch', branch: 'main' }],
    [{ name: 'push' }, 'refs/heads/main', { kind: 'branch', branch: 'main' }],
    [{ name: 'push' }, 'refs/tags/v1.2.3', { kind: 'release', tagName: 'v1.2.3' }],
    [{ name: 'workflow_dispatch' }, 'refs/heads/dev', { kind: 'branch', branch: 'dev' }],
    [{ name: 'schedule' }, 'refs/heads/main', { kind: 'branch', branch: 'main' }],
    [{ name: 'release' }, 'refs/tags/v1.2.3', { kind: 'release', tagName: 'v1.2.3' }],
    [{ name: 'pull_request', pullRequestNumber: 15 }, 'refs/pull/15/merge', { kind: 'pull-request', prNumber: 15 }],
    [{ name: 'pull_request_target', pullRequestNumber: 15 }, 'refs/heads/main', { kind: 'pull-request', prNumber: 15 }],
    [{ name: 'pull_request_target', pullRequestNumber: 15 }, 'refs/tags/v1.2.3', { kind: 'pull-request', prNumber: 15 }],
  ])('classifies %j on %s', (event, ref, expected) => {
    expect(classifyBuild({ ref, sha, ...(event ? { event } : {}) })).toMatchObject({ ref, ...expected });
  });

  it.each([
    [{ name: 'pull_request_target' }, 'the event carries no pull request number (null)'],
    [{ name: 'pull_request', pullRequestNumber: 0 }, 'the event carries no pull request number (0)'],
    [{ name: 'pull_request', pullRequestNumber: 1.5 }, 'the event carries no pull request number (1.5)'],
  ])('refuses %j', (event, message) => {
    expect(() => classifyBuild({ ref: 'refs/heads/main', sha, event })).toThrow(ConfigurationError);
    expect(() => classifyBuild({ ref: 'refs/heads/main', sha, event })).toThrow(message);
  });

  it('still refuses a malformed ref', () => {
    expect(() => classifyBuild({ ref: 'refs/heads/a..b', sha, event: { name: 'pull_request', pullRequestNumber: 1 } })).toThrow('contains ".."');
  });
});
