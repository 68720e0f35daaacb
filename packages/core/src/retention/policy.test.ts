import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { checkRetentionSafety, compileRetentionPattern, compileRetentionPolicy, isChannelTag, isRetentionCandidate, isRollbackAuditTag } from './policy.js';
import type { RetentionMode, RetentionPolicy } from './types.js';

function protectedBy(policy: RetentionPolicy, tag: string): boolean {
  return compileRetentionPolicy(policy).protect.some((pattern) => pattern.regex.test(tag));
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('compileRetentionPolicy', () => {
  describe('when the default protection applies', () => {
    it.each([
      'latest',
      '1.2.3',
      'v1.2.3',
      '1.2.3-rc.1',
      'v2.0.0-beta',
      '10.20.30-alpha.1.x-y',
      '1.2',
      'v1.2',
      '1',
      'v12',
    ])('protects %j', (tag) => {
      expect(protectedBy({}, tag)).toBe(true);
    });

    it.each(['sha-1a2b3c4', 'pr-12', 'latest-amd64', 'mylatest', '1.2.3.4', 'v1.2.3-', 'main', 'v', 'edge', 'nightly'])(
      'does not protect %j',
      (tag) => {
        expect(protectedBy({}, tag)).toBe(false);
      },
    );
  });

  describe('when protected branches are given', () => {
    it.each([
      ['main', 'main', true],
      ['refs/heads/staging', 'staging', true],
      ['release/1.x', 'release-1.x', true],
      ['main', 'main-sha-1a2b3c4', false],
      ['main', 'xmain', false],
    ])('branch %j protects tag %j: %s', (branch, tag, expected) => {
      expect(protectedBy({ protectBranches: [branch] }, tag)).toBe(expected);
    });
  });

  describe('when protect patterns are given', () => {
    it('anchors them to the whole tag', () => {
      expect(protectedBy({ protect: ['stable'] }, 'stable')).toBe(true);
      expect(protectedBy({ protect: ['stable'] }, 'unstable')).toBe(false);
      expect(protectedBy({ protect: ['stable'] }, 'stable-old')).toBe(false);
      expect(protectedBy({ protect: ['a|b'] }, 'ab')).toBe(false);
      expect(protectedBy({ protect: ['a|b'] }, 'b')).toBe(true);
    });

    it('adds them to the defaults unless defaultProtect is false', () => {
      expect(protectedBy({ protect: ['stable'] }, 'latest')).toBe(true);
      expect(protectedBy({ protect: ['stable'], defaultProtect: false }, 'latest')).toBe(false);
      expect(protectedBy({ protect: ['stable'], defaultProtect: false }, 'stable')).toBe(true);
    });
  });

  describe('when a keep group is given', () => {
    it.each([
      ['sha-*', 'sha-1a2b3c4', true],
      ['sha-*', 'sha', false],
      ['sha-*', 'pr-1', false],
      ['pr-[0-9]*', 'pr-12', true],
      ['*', '.hidden', true],
    ])('glob %j matches %j: %s', (pattern, tag, expected) => {
      const [group] = compileRetentionPolicy({ keep: [{ pattern, count: 1 }] }).keep;
      expect(group?.matches(tag)).toBe(expected);
    });
  });

  describe('when the policy is wrong', () => {
    it.each<[string, RetentionPolicy, RegExp]>([
      ['an invalid protect regex', { protect: ['ok', 'v['] }, /^parse protect\[1\] "v\[": invalid regular expression: .*Unterminated character class/],
      ['a protect regex that escapes its anchors', { protect: ['a)|(.*'] }, /^parse protect\[0\] "a\)\|\(\.\*": invalid regular expression/],
      ['an empty protect regex', { protect: [''] }, /^parse protect\[0\] "": empty regular expression/],
      ['an invalid only regex', { only: '(sha' }, /^parse only "\(sha": invalid regular expression/],
      ['a bad duration', { olderThan: 'thirty days' }, /^parse olderThan "thirty days": /],
      ['a negative count', { keep: [{ pattern: 'sha-*', count: -1 }] }, /^parse keep\[0\]\.count -1: expected a whole number/],
      ['a fractional count', { keep: [{ pattern: 'sha-*', count: 1.5 }] }, /^parse keep\[0\]\.count 1\.5: /],
      ['an empty glob', { keep: [{ pattern: ' ', count: 1 }] }, /^parse keep\[0\]\.pattern " ": empty glob/],
      ['an unparsable glob', { keep: [{ pattern: '*.{a', count: 1 }] }, /^parse keep\[0\]\.pattern "\*\.\{a": invalid glob/],
      ['a branch that cannot be a tag', { protectBranches: ['///'] }, /^parse protectBranches\[0\] "\/\/\/": /],
    ])('refuses %s with a ConfigurationError naming the input', (_what, policy, message) => {
      const error = thrown(() => compileRetentionPolicy(policy));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).code).toBe('INVALID_INPUT');
      expect(error.message).toMatch(message);
    });
  });
});

describe('compileRetentionPattern', () => {
  it('compiles the pattern as ^(?:…)$', () => {
    const { source, regex } = compileRetentionPattern('sha-[0-9a-f]+', 'only');
    expect(source).toBe('sha-[0-9a-f]+');
    expect(regex.source).toBe('^(?:sha-[0-9a-f]+)$');
    expect(regex.test('sha-1a2b')).toBe(true);
    expect(regex.test('xsha-1a2b')).toBe(false);
  });
});

describe('isRetentionCandidate', () => {
  describe('when a policy protects main and limits itself to sha-*', () => {
    const policy = compileRetentionPolicy({ keep: [{ pattern: 'sha-*', count: 30 }], only: 'sha-.*|main|feature-.*', protectBranches: ['main'] });

    it.each([
      ['sha-1a2b3c4', true],
      ['feature-login', true],
      ['main', false],
      ['1.2.3', false],
      ['latest', false],
      ['nightly', false],
    ])('%s may be deleted: %s', (tag, expected) => {
      expect(isRetentionCandidate(policy, tag)).toBe(expected);
    });
  });
});

describe('isChannelTag', () => {
  it.each([
    ['prod', true],
    ['staging', true],
    ['main', true],
    ['edge', true],
    ['latest', true],
    ['stable', true],
    ['feature-login', true],
    ['release_candidate', true],
    ['cafe', true],
    ['1.2.3', false],
    ['v1', false],
    ['sha-1a2b3c4', false],
    ['sha-deadbeef', false],
    ['pr-12', false],
    ['node20', false],
    ['prod-20261122-abc1234', false],
    ['nightly-2026-11-22', false],
    [`sha256-${'a'.repeat(64)}`, false],
    [`sha256-${'ab'.repeat(32)}.sig`, false],
    ['', false],
  ])('%j is a channel tag: %s', (tag, expected) => {
    expect(isChannelTag(tag)).toBe(expected);
  });
});

describe('isRollbackAuditTag', () => {
  it.each([
    ['prod-rollback-20261122-101500-from-abc1234', true],
    ['staging-rollback-x', true],
    ['rollback-1', false],
    ['prod-rollback', false],
    ['prod', false],
  ])('%j is a rollback audit tag: %s', (tag, expected) => {
    expect(isRollbackAuditTag(tag)).toBe(expected);
  });
});

describe('checkRetentionSafety', () => {
  describe('when a scheduled policy would delete every build or builds of any age', () => {
    it.each<[RetentionPolicy, string]>([
      [{ keep: [{ pattern: 'sha-*', count: 30 }, { pattern: 'pr-*', count: 0 }] }, 'parse keep[1].count 0: keeping none of pr-* would delete every build'],
      [{ olderThan: '0d' }, 'parse olderThan "0d": under one hour would delete builds just pushed'],
      [{ olderThan: 'PT59M' }, 'parse olderThan "PT59M": under one hour'],
    ])('refuses %j naming the input', (policy, message) => {
      expect(() => checkRetentionSafety(policy)).toThrow(ConfigurationError);
      expect(() => checkRetentionSafety(policy)).toThrow(message);
    });

    it('names the action inputs when asked', () => {
      expect(() => checkRetentionSafety({ keep: [{ pattern: 'sha-*', count: 0 }] }, 'scheduled', { keep: () => 'keep-n line 1' })).toThrow(
        /^parse keep-n line 1 0: /,
      );
      expect(() => checkRetentionSafety({ olderThan: '0d' }, undefined, { olderThan: 'older-than' })).toThrow(/^parse older-than "0d": /);
    });
  });

  describe('when the policy is safe or the mode names what goes', () => {
    it.each<[RetentionPolicy, RetentionMode['mode']]>([
      [{ keep: [{ pattern: 'sha-*', count: 1 }], olderThan: '1h' }, 'scheduled'],
      [{ keep: [{ pattern: '*', count: 0 }], olderThan: '0d' }, 'branch-deleted'],
      [{ keep: [{ pattern: '*', count: 0 }] }, 'tag-deleted'],
    ])('accepts %j in mode %s', (policy, mode) => {
      expect(() => checkRetentionSafety(policy, mode)).not.toThrow();
    });
  });
});
