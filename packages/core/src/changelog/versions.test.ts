import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { makeLatestFor, previousRelease } from './versions.js';

describe('previousRelease', () => {
  describe('when releasing a stable version', () => {
    it.each([
      ['1.3.0', ['1.2.0', '1.2.1'], '1.2.1'],
      ['1.2.1', ['1.2.0', '1.3.0'], '1.2.0'],
      ['1.2.2', ['v1.2.0', 'v1.2.1', 'v1.3.0', 'v2.0.0'], 'v1.2.1'],
      ['2.0.0', ['1.9.3', '1.10.0', '2.0.0-rc.1'], '1.10.0'],
      ['1.1.0', ['1.0.0', '1.0.5', '2.0.0'], '1.0.5'],
      ['v1.0.1', ['v1.0.0', 'latest', 'nightly', 'v1.0.1-rc.1'], 'v1.0.0'],
      ['1.0.0', ['1.0.0', '1.0.0-rc.1'], undefined],
      ['1.3.0', ['1.2.0', 'vv1.2.9', '=1.2.8', ' 1.2.7'], '1.2.0'],
    ] as const)('%s after %j compares with %s', (version, releases, expected) => {
      expect(previousRelease(version, releases)).toBe(expected);
    });
  });

  describe('when releasing a prerelease', () => {
    it.each([
      ['1.3.0-rc.2', ['1.2.0', '1.3.0-rc.1'], '1.3.0-rc.1'],
      ['1.3.0-rc.10', ['1.3.0-rc.2', '1.3.0-rc.9', '1.3.0-beta.1'], '1.3.0-rc.9'],
      ['1.3.0-rc.1', ['1.2.0', '1.2.1', '1.3.0'], '1.2.1'],
      ['1.2.1-rc.1', ['1.2.0', '1.3.0'], '1.2.0'],
      ['1.3.0-rc.1', ['1.2.0-rc.1', '1.4.0-rc.1'], undefined],
    ] as const)('%s after %j compares with %s', (version, releases, expected) => {
      expect(previousRelease(version, releases)).toBe(expected);
    });
  });

  describe('when it is the first release', () => {
    it('returns undefined', () => {
      expect(previousRelease('0.1.0', [])).toBeUndefined();
    });
  });

  describe('when the version is not SemVer', () => {
    it.each(['1.2', 'latest', '01.2.3', 'v', 'vv1.2.3', '=1.2.3', ' 1.2.3'])('rejects %j naming the input', (version) => {
      expect(() => previousRelease(version, ['1.0.0'])).toThrow(ConfigurationError);
      expect(() => previousRelease(version, ['1.0.0'])).toThrow(JSON.stringify(version));
    });
  });
});

describe('makeLatestFor', () => {
  describe('when deciding make_latest', () => {
    it.each([
      ['1.4.0', ['1.3.0', '1.2.0'], 'true'],
      ['1.0.0', [], 'true'],
      ['v1.3.0', ['v1.3.0'], 'true'],
      ['1.2.1', ['1.2.0', '1.3.0'], 'false'],
      ['2.0.0-rc.1', ['1.3.0'], 'false'],
      ['1.4.0', ['1.3.0', '2.0.0-rc.1'], 'true'],
      ['1.4.0', ['1.3.0', 'not-a-version'], 'true'],
    ] as const)('%s with existing %j → %s', (version, existing, expected) => {
      expect(makeLatestFor(version, existing)).toBe(expected);
    });
  });
});
