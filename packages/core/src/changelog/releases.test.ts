import { describe, expect, it } from 'vitest';
import { earlierReleaseTags, findReleaseOf, isStagingTag, releaseTagSpellings } from './releases.js';

describe('releaseTagSpellings', () => {
  it.each([
    ['1.4.0', ['1.4.0', 'v1.4.0']],
    ['v1.4.0', ['v1.4.0', '1.4.0']],
  ])('%s may be released as %j', (version, spellings) => {
    expect(releaseTagSpellings(version)).toEqual(spellings);
  });
});

describe('findReleaseOf', () => {
  it('finds the release under the other spelling, preferring the given one', () => {
    const releases = [{ tagName: 'v1.4.0', id: 1 }, { tagName: '1.4.0', id: 2 }, { tagName: '1.3.0', id: 3 }];
    expect(findReleaseOf(releases, '1.4.0')?.id).toBe(2);
    expect(findReleaseOf(releases.slice(0, 1), '1.4.0')?.id).toBe(1);
    expect(findReleaseOf(releases, '2.0.0')).toBeUndefined();
  });
});

describe('isStagingTag', () => {
  it.each([
    ['1.2.3-staging.0', true],
    ['1.2.3-staging.17', true],
    ['1.2.3-staging.01', false],
    ['1.2.3-rc.1', false],
    ['1.2.3', false],
  ])('%s → %s', (tag, expected) => {
    expect(isStagingTag(tag)).toBe(expected);
  });
});

describe('earlierReleaseTags', () => {
  it('keeps published releases and version tags; drops drafts, staging builds, its own version and non-versions', () => {
    expect(
      earlierReleaseTags({
        releases: [
          { tagName: 'v1.2.0', draft: false },
          { tagName: 'v1.3.0', draft: true },
          { tagName: 'v1.4.0', draft: false },
        ],
        tags: ['v1.2.0', '1.1.0', '1.4.0', 'v1.4.0', '1.5.0-staging.3', 'nightly', '1.5.0-rc.1'],
        tag: 'v1.4.0',
        version: '1.4.0',
      }),
    ).toEqual(['v1.2.0', '1.1.0', '1.5.0-rc.1']);
  });
});
