import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { computeTags } from './index.js';
import type { TagPlan, TagPolicyInput } from './index.js';

const SHA = 'abc1234def5678abc1234def5678abc1234def56';
const now = new Date('2026-11-22T10:15:00Z');

function input(ref: string, overrides: Partial<TagPolicyInput> = {}): TagPolicyInput {
  return {
    ref: { ref, sha: SHA },
    existingTags: [],
    floating: { major: true, minor: true, latest: true },
    branchTags: {},
    shaTag: false,
    tagPrefix: '',
    registryAware: true,
    now,
    ...overrides,
  };
}

function reasonOf(plan: TagPlan, tag: string): string | undefined {
  return plan.decisions.find((d) => d.tag === tag)?.reason;
}

describe('computeTags', () => {
  describe('when a stable release is compared with the registry', () => {
    it.each([
      // name, ref, existing tags, expected tags, isLatest
      ['backport', 'refs/tags/1.2.1', ['1.2.0', '1.3.0'], ['1.2.1', '1.2'], false],
      ['first release into an empty repository', 'refs/tags/v1.0.0', [], ['1.0.0', '1.0', '1', 'latest'], true],
      ['new highest patch', 'refs/tags/1.3.1', ['1.2.0', '1.3.0', 'latest'], ['1.3.1', '1.3', '1', 'latest'], true],
      ['older minor, newest of its major', 'refs/tags/1.4.0', ['2.0.0', '1.3.0'], ['1.4.0', '1.4', '1'], false],
      ['older patch under a newer patch', 'refs/tags/1.2.1', ['1.2.5'], ['1.2.1'], false],
      ['registry holding v1.3.0 vs ref 1.2.9', 'refs/tags/1.2.9', ['v1.3.0', 'v1.2.8'], ['1.2.9', '1.2'], false],
      ['v ref vs unprefixed registry', 'refs/tags/v1.3.0', ['1.2.9'], ['1.3.0', '1.3', '1', 'latest'], true],
      ['non-version tags ignored', 'refs/tags/1.2.1', ['latest', 'sha-abc1234', 'staging', 'pr-3', '9', '9.9', 'prod-20261122-abc1234', 'nightly'], ['1.2.1', '1.2', '1', 'latest'], true],
      ['prereleases in the registry never block', 'refs/tags/1.2.1', ['2.0.0-rc.1', '1.2.2-beta', '1.3.0-alpha.1'], ['1.2.1', '1.2', '1', 'latest'], true],
      ['prereleases in the registry never count', 'refs/tags/1.2.1', ['1.2.0', '2.0.0-rc.1'], ['1.2.1', '1.2', '1', 'latest'], true],
      ['re-run of the same version (idempotent)', 'refs/tags/1.2.1', ['1.2.0', '1.2.1', '1.3.0'], ['1.2.1', '1.2'], false],
      ['re-run of the highest version', 'refs/tags/v1.3.0', ['1.2.0', '1.3.0', '1.3', '1', 'latest'], ['1.3.0', '1.3', '1', 'latest'], true],
      ['build metadata', 'refs/tags/1.2.3+build.5', ['1.2.2'], ['1.2.3', '1.2', '1', 'latest'], true],
      ['build metadata equal in precedence to a release', 'refs/tags/1.2.3+build.6', ['1.2.3', '1.2.4'], ['1.2.3'], false],
      ['build metadata of a re-run', 'refs/tags/v1.2.3+build.6', ['1.2.3', '1.2', '1', 'latest'], ['1.2.3', '1.2', '1', 'latest'], true],
      ['major zero gets no major tag', 'refs/tags/0.3.0', ['0.2.0'], ['0.3.0', '0.3', 'latest'], true],
    ])('%s: %s with %j gets %j', (_name, ref, existingTags, tags, isLatest) => {
      const plan = computeTags(input(ref, { existingTags }));
      expect(plan.tags).toEqual(tags);
      expect(plan.isLatest).toBe(isLatest);
      expect(plan.isPrerelease).toBe(false);
      expect(plan.kind).toBe('release');
    });

    it('explains a backport', () => {
      const plan = computeTags(input('refs/tags/1.2.1', { existingTags: ['1.2.0', '1.3.0'] }));
      expect(plan.decisions).toEqual([
        { tag: '1.2.1', given: true, reason: '1.2.1 given: the release version' },
        { tag: '1.2', given: true, reason: '1.2 given: highest patch of 1.2' },
        { tag: '1', given: false, reason: '1 withheld: 1.3.0 is higher in major 1' },
        { tag: 'latest', given: false, reason: 'latest stays on 1.3.0: 1.2.1 is a backport' },
      ]);
      expect(plan.warnings).toEqual([]);
      expect(plan.version).toBe('1.2.1');
    });

    it('explains a withheld minor tag with the highest patch above it', () => {
      const plan = computeTags(input('refs/tags/1.2.1', { existingTags: ['1.2.3', '1.2.5', '1.2.4'] }));
      expect(reasonOf(plan, '1.2')).toBe('1.2 withheld: 1.2.5 is higher in 1.2');
    });

    it('says when latest goes to the first stable release', () => {
      const plan = computeTags(input('refs/tags/1.0.0', { existingTags: ['1.0.0-rc.1'] }));
      expect(reasonOf(plan, 'latest')).toBe('latest given: 1.0.0 is the first stable release in the registry');
      expect(reasonOf(plan, '1')).toBe('1 given: highest version in major 1');
    });

    it('says a re-run re-tags the same version idempotently', () => {
      const plan = computeTags(input('refs/tags/1.2.1', { existingTags: ['1.2.1'] }));
      expect(reasonOf(plan, '1.2.1')).toBe('1.2.1 given: the release version (already in the registry: re-tagging is idempotent)');
      expect(reasonOf(plan, 'latest')).toBe('latest given: 1.2.1 is the highest stable version');
    });

    it('keeps the build metadata in the version and leaves it out of the tag', () => {
      const plan = computeTags(input('refs/tags/v1.2.3+build.5'));
      expect(plan.version).toBe('1.2.3+build.5');
      expect(reasonOf(plan, '1.2.3')).toBe('1.2.3 given: the release version (build metadata +build.5 is not part of the tag (SemVer 2.0 §10))');
    });

    // Issue 12, defect 1: `1.2.3-build.5` read back as a pre-release of 1.2.3, so a later
    // backport took 1.2, 1 and latest.
    it('never lets a backport after a build-metadata release move the floating tags', () => {
      const first = computeTags(input('refs/tags/v1.2.3+build.5'));
      expect(first.tags).toEqual(['1.2.3', '1.2', '1', 'latest']);
      const backport = computeTags(input('refs/tags/v1.2.2', { existingTags: first.tags }));
      expect(backport.tags).toEqual(['1.2.2']);
      expect(reasonOf(backport, 'latest')).toBe('latest stays on 1.2.3: 1.2.2 is a backport');
    });

    it('explains major version zero', () => {
      const plan = computeTags(input('refs/tags/0.3.0'));
      expect(plan.decisions.find((d) => d.tag === '0')).toEqual({
        tag: '0',
        given: false,
        reason: '0 withheld: major version zero is for initial development (SemVer 2.0 §4, https://semver.org/#spec-item-4)',
      });
    });
  });

  describe('when floating tags are switched off', () => {
    it.each([
      [{ major: false, minor: false, latest: false }, ['1.2.3']],
      [{ major: true, minor: false, latest: false }, ['1.2.3', '1']],
      [{ major: false, minor: true, latest: true }, ['1.2.3', '1.2', 'latest']],
    ])('%j gives %j', (floating, tags) => {
      const plan = computeTags(input('refs/tags/1.2.3', { floating }));
      expect(plan.tags).toEqual(tags);
      expect(plan.isLatest).toBe(true);
    });

    it('lists them as not requested', () => {
      const plan = computeTags(input('refs/tags/1.2.3', { floating: { major: false, minor: false, latest: false } }));
      expect(plan.decisions.filter((d) => !d.given).map((d) => d.reason)).toEqual([
        '1.2 not requested: floating minor tags are off',
        '1 not requested: floating major tags are off',
        'latest not requested: the latest tag is off',
      ]);
    });
  });

  describe('when the release is a pre-release', () => {
    it.each([
      ['refs/tags/1.3.0-rc.1', [], ['1.3.0-rc.1']],
      ['refs/tags/v2.0.0-alpha.1', ['1.0.0'], ['2.0.0-alpha.1']],
      ['refs/tags/1.0.0-rc.1+build.7', [], ['1.0.0-rc.1']],
    ])('%s with %j gets only its own tag', (ref, existingTags, tags) => {
      const plan = computeTags(input(ref, { existingTags }));
      expect(plan.tags).toEqual(tags);
      expect(plan.isPrerelease).toBe(true);
      expect(plan.isLatest).toBe(false);
    });

    it('explains the withheld floating tags with the SemVer link', () => {
      const plan = computeTags(input('refs/tags/1.3.0-rc.1'));
      expect(plan.decisions).toEqual([
        { tag: '1.3.0-rc.1', given: true, reason: '1.3.0-rc.1 given: the pre-release version' },
        { tag: '1.3', given: false, reason: '1.3 withheld: 1.3.0-rc.1 is a pre-release (SemVer 2.0 §9, https://semver.org/#spec-item-9)' },
        { tag: '1', given: false, reason: '1 withheld: 1.3.0-rc.1 is a pre-release (SemVer 2.0 §9, https://semver.org/#spec-item-9)' },
        { tag: 'latest', given: false, reason: 'latest withheld: 1.3.0-rc.1 is a pre-release (SemVer 2.0 §9, https://semver.org/#spec-item-9)' },
      ]);
    });
  });

  describe('when version tags carry a prefix', () => {
    it.each([
      ['v', 'refs/tags/1.2.3', [], ['v1.2.3', 'v1.2', 'v1', 'latest']],
      ['v', 'refs/tags/v1.2.1', ['v1.2.0', '1.3.0'], ['v1.2.1', 'v1.2']],
      ['v', 'refs/tags/v1.2.1', ['1.2.0', 'v1.3.0'], ['v1.2.1', 'v1.2']],
      ['', 'refs/tags/v1.2.1', ['v1.3.0'], ['1.2.1', '1.2']],
      ['api-', 'refs/tags/1.2.1', ['api-1.3.0'], ['api-1.2.1', 'api-1.2']],
      ['api-', 'refs/tags/1.2.1', ['1.3.0', 'web-2.0.0'], ['api-1.2.1', 'api-1.2', 'api-1', 'latest']],
      ['api-', 'refs/tags/1.2.1', ['api-v1.2.5'], ['api-1.2.1']],
    ])('prefix %j: %s with %j gets %j', (tagPrefix, ref, existingTags, tags) => {
      expect(computeTags(input(ref, { tagPrefix, existingTags })).tags).toEqual(tags);
    });
  });

  describe('when registry-aware tagging is off', () => {
    it('gives every enabled floating tag, ignores the registry, and warns', () => {
      const plan = computeTags(
        input('refs/tags/1.2.1', { registryAware: false, existingTags: ['1.2.0', '1.3.0'] }),
      );
      expect(plan.tags).toEqual(['1.2.1', '1.2', '1', 'latest']);
      expect(plan.isLatest).toBe(true);
      expect(reasonOf(plan, 'latest')).toBe('latest given: computed from the ref alone (registry-aware tagging is off)');
      expect(plan.warnings).toEqual([
        'registry-aware tagging is off: 1.2, 1, latest computed from the ref alone; they move backwards if 1.2.1 is a backport',
      ]);
    });

    it('does not warn when no floating tag is enabled', () => {
      const plan = computeTags(
        input('refs/tags/1.2.1', { registryAware: false, floating: { major: false, minor: false, latest: false } }),
      );
      expect(plan.warnings).toEqual([]);
    });

    it('still gives a pre-release only its own tag', () => {
      expect(computeTags(input('refs/tags/2.0.0-rc.1', { registryAware: false })).tags).toEqual(['2.0.0-rc.1']);
    });
  });

  describe('when the build is for a branch', () => {
    it.each([
      ['refs/heads/main', {}, ['main']],
      ['refs/heads/feature/x', {}, ['feature-x']],
      ['refs/heads/user@team/fix#12', {}, ['user-team-fix-12']],
      ['refs/heads/main', { main: 'staging' }, ['staging']],
      ['refs/heads/release/1.x', { 'release/1.x': 'rc-1' }, ['rc-1']],
      ['refs/heads/develop', { main: 'staging' }, ['develop']],
      ['refs/heads/main', { main: 'latest' }, ['latest']],
    ])('%s with mapping %j gets %j', (ref, branchTags, tags) => {
      const plan = computeTags(input(ref, { branchTags }));
      expect(plan.tags).toEqual(tags);
      expect(plan.kind).toBe('branch');
      expect(plan.version).toBeUndefined();
      expect(plan.isLatest).toBe(false);
    });

    it('explains sanitizing and mapping', () => {
      expect(reasonOf(computeTags(input('refs/heads/feature/x')), 'feature-x')).toBe(
        'feature-x given: branch feature/x, sanitized to the OCI tag grammar',
      );
      expect(reasonOf(computeTags(input('refs/heads/main', { branchTags: { main: 'staging' } })), 'staging')).toBe(
        'staging given: branch main is mapped to staging',
      );
    });

    it.each([
      ['refs/heads/latest', 'latest', 'it would move latest'],
      ['refs/heads/1.2', '1.2', 'it would collide with a version tag'],
      ['refs/heads/v1', 'v1', 'it would collide with a version tag'],
      ['refs/heads/1.2.3', '1.2.3', 'it would collide with a version tag'],
      ['refs/heads/sha-abc1234', 'sha-abc1234', 'it would collide with a commit tag'],
      ['refs/heads/pr-12', 'pr-12', 'it would collide with a pull request tag'],
      ['refs/heads/@@', '@@', 'nothing of its name is allowed in an image tag'],
    ])('withholds %s, whose tag %s is reserved, with a warning', (ref, tag, problem) => {
      const plan = computeTags(input(ref));
      expect(plan.tags).toEqual([]);
      expect(plan.decisions).toEqual([{ tag, given: false, reason: expect.stringContaining(problem) as unknown as string }]);
      expect(plan.warnings).toHaveLength(1);
      expect(plan.warnings[0]).toContain(problem);
    });

    it.each([
      ['api-', 'refs/heads/api-1.2', []],
      ['api-', 'refs/heads/api-v2.0.0', []],
      ['api-', 'refs/heads/api-next', ['api-next']],
      ['v', 'refs/heads/v1.2', []],
    ])('with tag prefix %j withholds %s if it would collide with a version tag', (tagPrefix, ref, tags) => {
      expect(computeTags(input(ref, { tagPrefix })).tags).toEqual(tags);
    });

    it('does not look up branch names inherited from Object.prototype', () => {
      expect(computeTags(input('refs/heads/constructor')).tags).toEqual(['constructor']);
    });
  });

  describe('when the build is for a pull request, another git tag or another ref', () => {
    it.each([
      ['refs/pull/42/merge', 'pull-request', ['pr-42']],
      ['refs/pull/7/head', 'pull-request', ['pr-7']],
      ['refs/tags/nightly', 'tag', ['nightly']],
      ['refs/notes/commits', 'other', []],
    ])('%s (%s) gets %j', (ref, kind, tags) => {
      const plan = computeTags(input(ref));
      expect(plan.kind).toBe(kind);
      expect(plan.tags).toEqual(tags);
      expect(plan.version).toBeUndefined();
    });

    it('explains the pull request tag', () => {
      expect(computeTags(input('refs/pull/42/merge')).decisions).toEqual([
        { tag: 'pr-42', given: true, reason: 'pr-42 given: pull request #42' },
      ]);
    });

    it('warns that another ref gets no ref tag', () => {
      expect(computeTags(input('refs/notes/commits')).warnings).toEqual([
        'ref refs/notes/commits is not a release, tag, branch or pull request: no ref tag is given',
      ]);
    });

    it('withholds a git tag named like a floating tag', () => {
      const plan = computeTags(input('refs/tags/latest'));
      expect(plan.tags).toEqual([]);
      expect(plan.warnings[0]).toContain('it would move latest');
    });
  });

  // Issue 12, defect 2: with pull_request_target the ref is the base branch.
  describe('when the event is a pull request', () => {
    const PR = { name: 'pull_request_target', pullRequestNumber: 7 };
    it.each([
      // event, ref, branch tags, expected tags
      [PR, 'refs/heads/main', {}, ['pr-7', 'sha-abc1234']],
      [PR, 'refs/heads/main', { main: 'staging' }, ['pr-7', 'sha-abc1234']],
      [PR, 'refs/heads/release/1.x', { 'release/1.x': 'stable' }, ['pr-7', 'sha-abc1234']],
      [PR, 'refs/tags/v1.2.3', {}, ['pr-7', 'sha-abc1234']],
      [{ name: 'pull_request', pullRequestNumber: 42 }, 'refs/pull/42/merge', { main: 'staging' }, ['pr-42', 'sha-abc1234']],
      [{ name: 'push' }, 'refs/heads/main', { main: 'staging' }, ['staging', 'sha-abc1234']],
      [{ name: 'workflow_dispatch' }, 'refs/heads/main', {}, ['main', 'sha-abc1234']],
      [{ name: 'schedule' }, 'refs/heads/main', {}, ['main', 'sha-abc1234']],
      [{ name: 'release' }, 'refs/tags/v1.2.3', {}, ['1.2.3', '1.2', '1', 'latest', 'sha-abc1234']],
    ])('%j on %s with branch tags %j gets %j', (event, ref, branchTags, tags) => {
      const plan = computeTags(input(ref, { ref: { ref, sha: SHA, event }, branchTags, shaTag: true }));
      expect(plan.tags).toEqual(tags);
    });

    it('gives no stamp tag and says why the base branch gets nothing', () => {
      const plan = computeTags(input('refs/heads/main', { ref: { ref: 'refs/heads/main', sha: SHA, event: PR }, stamp: 'prod-{date}-{sha}' }));
      expect(plan.kind).toBe('pull-request');
      expect(plan.tags).toEqual(['pr-7']);
      expect(plan.decisions).toEqual([
        {
          tag: 'pr-7',
          given: true,
          reason: 'pr-7 given: pull request #7 (pull_request_target event; its ref refs/heads/main is the base branch, which gets no tag)',
        },
        { tag: 'prod-{date}-{sha}', given: false, reason: 'prod-{date}-{sha} withheld: a pull request build gets no stamp tag' },
      ]);
    });

    it('refuses a pull request event without a number', () => {
      const bad = input('refs/heads/main', { ref: { ref: 'refs/heads/main', sha: SHA, event: { name: 'pull_request_target' } } });
      expect(() => computeTags(bad)).toThrow(ConfigurationError);
      expect(() => computeTags(bad)).toThrow('classify the pull_request_target build of "refs/heads/main": the event carries no pull request number (null)');
    });
  });

  describe('when sha and stamp tags are asked for', () => {
    it.each([
      ['refs/tags/1.2.1', ['1.2.0', '1.3.0'], ['1.2.1', '1.2', 'sha-abc1234', 'prod-20261122-abc1234']],
      ['refs/tags/1.3.0-rc.1', [], ['1.3.0-rc.1', 'sha-abc1234', 'prod-20261122-abc1234']],
      ['refs/heads/main', [], ['main', 'sha-abc1234', 'prod-20261122-abc1234']],
      ['refs/notes/x', [], ['sha-abc1234', 'prod-20261122-abc1234']],
    ])('%s gets %j', (ref, existingTags, tags) => {
      const plan = computeTags(input(ref, { existingTags, shaTag: true, stamp: 'prod-{date}-{sha}' }));
      expect(plan.tags).toEqual(tags);
      expect(reasonOf(plan, 'prod-20261122-abc1234')).toBe('prod-20261122-abc1234 given: stamp template prod-{date}-{sha}');
      expect(reasonOf(plan, 'sha-abc1234')).toBe('sha-abc1234 given: commit abc1234');
    });

    it('renders {version} as the image tag version for a release', () => {
      const plan = computeTags(input('refs/tags/v1.2.3+build.5', { stamp: 'rel-{version}-{datetime}', tagPrefix: 'v' }));
      expect(plan.tags).toEqual(['v1.2.3', 'v1.2', 'v1', 'latest', 'rel-1.2.3-20261122-101500']);
    });

    it('withholds a {version} stamp for a branch build, with a warning', () => {
      const plan = computeTags(input('refs/heads/main', { stamp: 'rel-{version}' }));
      expect(plan.tags).toEqual(['main']);
      expect(plan.decisions[1]).toEqual({
        tag: 'rel-{version}',
        given: false,
        reason: 'rel-{version} withheld: the stamp template uses {version} and this build is not a release',
      });
      expect(plan.warnings).toEqual([
        'stamp template rel-{version} uses {version}, but refs/heads/main is not a release: no stamp tag',
      ]);
    });

    it('lists a tag given twice only once', () => {
      const plan = computeTags(input('refs/heads/main', { stamp: 'main' }));
      expect(plan.tags).toEqual(['main']);
    });
  });

  describe('when the input is bad', () => {
    it.each([
      ['a malformed ref', input('refs/heads/a..b'), 'parse ref "refs/heads/a..b": contains ".."'],
      ['an empty ref', input(''), 'parse ref "": is empty'],
      ['a bad stamp template', input('refs/heads/main', { stamp: 'prod-{when}' }), 'parse stamp template "prod-{when}": unknown placeholder {when}'],
      ['unbalanced stamp braces', input('refs/heads/main', { stamp: 'prod-{date' }), 'unbalanced braces'],
      ['a bad tag prefix', input('refs/tags/1.2.3', { tagPrefix: 'v/' }), 'compute tags tag prefix "v/": must be empty or start with'],
      ['a bad branch mapping', input('refs/heads/main', { branchTags: { main: 'stag ing' } }), 'compute tags branch tag mapping "main" => "stag ing": the tag is outside the OCI tag grammar'],
      ['an empty mapped branch', input('refs/heads/main', { branchTags: { '': 'x' } }), 'a branch name is empty'],
      ['a bad sha with shaTag', input('refs/heads/main', { shaTag: true, ref: { ref: 'refs/heads/main', sha: 'nothex!' } }), 'compute tags commit SHA "nothex!": is not 7 to 64 hexadecimal digits'],
      ['a bad sha with a {sha} stamp', input('refs/heads/main', { stamp: '{sha}', ref: { ref: 'refs/heads/main', sha: '' } }), 'compute tags commit SHA ""'],
      ['a version too long for a tag', input(`refs/tags/1.2.3-${'a'.repeat(130)}`), 'is outside the OCI tag grammar'],
    ])('throws a ConfigurationError for %s', (_name, bad, message) => {
      expect(() => computeTags(bad)).toThrow(ConfigurationError);
      expect(() => computeTags(bad)).toThrow(message);
    });

    it('does not need a sha when neither sha tag nor {sha} stamp is asked for', () => {
      expect(computeTags(input('refs/heads/main', { ref: { ref: 'refs/heads/main', sha: '' } })).tags).toEqual(['main']);
    });
  });
});
