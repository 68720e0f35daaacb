import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../errors.js';
import {
  commitShaProblem,
  isAbbreviatedCommitSha,
  isDigest,
  isFullCommitSha,
  isOciTag,
  parseArtifactTag,
  repositoryPathProblem,
  sanitizeBranchTag,
  validateDigest,
  validateTag,
} from './index.js';

const HEX40 = '0123456789abcdef0123456789abcdef01234567';
const HEX64 = 'a'.repeat(64);
const SHA = `sha256:${HEX64}`;
const SHA512 = `sha512:${'b'.repeat(128)}`;

describe('tag', () => {
  describe('when the tag follows the OCI grammar', () => {
    it.each(['latest', '1.2.3', 'v1.2.3-rc.1', '_internal', 'A', 'x'.repeat(128), 'sha256-abc'])('accepts %j', (tag) => {
      expect(isOciTag(tag)).toBe(true);
      expect(validateTag(tag)).toBe(tag);
    });
  });

  describe('when it does not', () => {
    it.each([
      ['', 'parse tag "": is empty'],
      ['.hidden', 'parse tag ".hidden": must start with a letter, digit or "_"'],
      ['-rc', 'parse tag "-rc": must start with a letter, digit or "_"'],
      ['1.2.3+build', 'parse tag "1.2.3+build": contains "+"; only letters, digits, "_", "." and "-" are allowed'],
      ['a/b', 'parse tag "a/b": contains "/"; only letters, digits, "_", "." and "-" are allowed'],
      ['x'.repeat(129), `parse tag "${'x'.repeat(129)}": is 129 characters long; at most 128 are allowed`],
    ])('rejects %j', (tag, message) => {
      expect(isOciTag(tag)).toBe(false);
      expect(() => validateTag(tag)).toThrow(new InvalidReferenceError('INVALID_TAG', tag, message.replace(/^parse tag "[^"]*": /, '')));
      expect(() => validateTag(tag)).toThrow(message);
    });
  });

  describe('when a branch name is mapped onto it', () => {
    it.each([
      ['main', 'main'],
      ['feature/x', 'feature-x'],
      ['feature//x y', 'feature-x-y'],
      ['.hidden', 'hidden'],
      ['-x', 'x'],
      ['Release/1.2', 'Release-1.2'],
      ['ünïcode', 'n-code'],
      ['///', ''],
      ['b'.repeat(200), 'b'.repeat(128)],
    ])('maps %j to %j', (branch, tag) => {
      const mapped = sanitizeBranchTag(branch);
      expect(mapped).toBe(tag);
      if (mapped !== '') expect(isOciTag(mapped)).toBe(true);
    });
  });
});

describe('digest', () => {
  it.each([SHA, SHA512])('accepts %j', (digest) => {
    expect(isDigest(digest)).toBe(true);
    expect(validateDigest(digest)).toBe(digest);
  });

  it.each([
    ['', 'parse digest "": is empty'],
    ['abc', 'parse digest "abc": must look like "sha256:<64 hex characters>"'],
    [`sha256:${'A'.repeat(64)}`, `parse digest "sha256:${'A'.repeat(64)}": sha256 hex must be lowercase hexadecimal`],
    [`sha256:${'a'.repeat(63)}`, `parse digest "sha256:${'a'.repeat(63)}": sha256 hex must be 64 characters, got 63`],
    [`sha512:${'a'.repeat(64)}`, `parse digest "sha512:${'a'.repeat(64)}": sha512 hex must be 128 characters, got 64`],
    [`blake3:${'a'.repeat(64)}`, `parse digest "blake3:${'a'.repeat(64)}": uses unsupported algorithm "blake3"; expected sha256 or sha512`],
  ])('rejects %j with INVALID_DIGEST', (digest, message) => {
    expect(isDigest(digest)).toBe(false);
    expect(() => validateDigest(digest)).toThrow(message);
    expect(() => validateDigest(digest)).toThrow(expect.objectContaining({ code: 'INVALID_DIGEST' }));
  });
});

describe('artifact tag', () => {
  it.each([
    [`sha256-${HEX64}.sig`, { kind: 'sig', algorithm: 'sha256', hex: HEX64 }],
    [`sha256-${HEX64}.att`, { kind: 'att', algorithm: 'sha256', hex: HEX64 }],
    [`sha256-${HEX64}.sbom`, { kind: 'sbom', algorithm: 'sha256', hex: HEX64 }],
    [`sha256-${HEX64}`, { kind: 'referrers', algorithm: 'sha256', hex: HEX64 }],
    [`sha512-${HEX64}`, { kind: 'referrers', algorithm: 'sha512', hex: HEX64 }],
    [`sha256-${HEX64.slice(1)}.sig`, undefined],
    [`sha256-${'A'.repeat(64)}.sig`, undefined],
    [`sha256-${HEX64}.sig2`, undefined],
    [`md5-${HEX64}.sig`, undefined],
    ['1.2.3', undefined],
    ['sha-abc1234', undefined],
  ])('reads %j as %j', (tag, expected) => {
    expect(parseArtifactTag(tag)).toEqual(expected);
  });
});

describe('commit SHA', () => {
  it.each([
    // sha, full, abbreviated
    [HEX40, true, true],
    [HEX64, true, true],
    ['abc1234', false, true],
    [HEX40.slice(0, 12), false, true],
    [HEX40 + 'a', false, true],
    ['abc123', false, false],
    [HEX64 + 'a', false, false],
    [HEX40.toUpperCase(), false, false],
    ['g'.repeat(40), false, false],
    ['', false, false],
    [` ${HEX40}`, false, false],
  ])('%j: full %s, abbreviated %s', (sha, full, abbreviated) => {
    expect(isFullCommitSha(sha)).toBe(full);
    expect(isAbbreviatedCommitSha(sha)).toBe(abbreviated);
    expect(commitShaProblem(sha, 'full') === undefined).toBe(full);
    expect(commitShaProblem(sha, 'abbreviated') === undefined).toBe(abbreviated);
  });

  it('names the rule in the problem', () => {
    expect(commitShaProblem('abc', 'full')).toBe('is not a full commit SHA (40 or 64 lowercase hex characters)');
    expect(commitShaProblem('abc', 'abbreviated')).toBe('is not a commit SHA (7 to 64 lowercase hex characters)');
  });
});

describe('repository path', () => {
  it.each([
    ['.', undefined],
    ['CHANGELOG.md', undefined],
    ['docs/CHANGELOG-{version}.md', undefined],
    ['./packages/api', undefined],
    ['a/./b', undefined],
    ['a..b/c', undefined],
    ['..foo', undefined],
    ['', 'is empty'],
    ['..', 'climbs out of the repository with ".."'],
    ['../x', 'climbs out of the repository with ".."'],
    ['a/../../x', 'climbs out of the repository with ".."'],
    ['a\\..\\x', 'climbs out of the repository with ".."'],
    ['a/..', 'climbs out of the repository with ".."'],
    ['/etc/passwd', 'is absolute; give a path relative to the repository root'],
    ['\\\\server\\share', 'is absolute; give a path relative to the repository root'],
    ['C:\\x', 'is absolute; give a path relative to the repository root'],
    ['c:/x', 'is absolute; give a path relative to the repository root'],
    ['a\nb', 'contains a control character'],
    ['a\u0000b', 'contains a control character'],
  ])('%j: %s', (path, problem) => {
    expect(repositoryPathProblem(path)).toBe(problem);
  });
});
