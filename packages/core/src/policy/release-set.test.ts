import { describe, expect, it } from 'vitest';
import { PolicyError } from '../errors.js';
import { expandVersionPattern, isVersionPattern, pickCommonBuild, planSetRollback } from './release-set.js';

describe('expandVersionPattern', () => {
  it.each([
    ['1.5.0-staging.*', undefined, '1.5.0-staging.*'],
    ['staging.*', '1.5.0', '1.5.0-staging.*'],
    ['1.5.0-rc.*.*', undefined, '1.5.0-rc.*.*'],
  ])('%s with base %s is %s', (pattern, base, expected) => {
    expect(expandVersionPattern(pattern, base)).toBe(expected);
  });

  it.each([
    ['staging.*', undefined, /no X.Y.Z base/],
    ['1.5.*', undefined, /not X.Y.Z-<pre-release>/],
    ['1.5.0-staging.1*', undefined, /whole dot-separated identifier/],
    ['1.5.0-staging', undefined, /not X.Y.Z-<pre-release>/],
  ])('refuses %s (base %s)', (pattern, base, message) => {
    expect(() => expandVersionPattern(pattern, base)).toThrow(PolicyError);
    expect(() => expandVersionPattern(pattern, base)).toThrow(message);
  });

  it('tells a pattern from a tag', () => {
    expect(isVersionPattern('1.5.0-staging.*')).toBe(true);
    expect(isVersionPattern('1.5.0-staging.3')).toBe(false);
  });
});

describe('pickCommonBuild', () => {
  const pattern = '1.5.0-staging.*';
  it.each<{ name: string; tags: Record<string, string[]>; pick: string | undefined; highest: Record<string, string | null>; lacking: string[] }>([
    {
      name: 'every image holds the newest build',
      tags: { a: ['1.5.0-staging.1', '1.5.0-staging.2'], b: ['1.5.0-staging.2', 'latest'] },
      pick: '1.5.0-staging.2',
      highest: { a: '1.5.0-staging.2', b: '1.5.0-staging.2' },
      lacking: [],
    },
    {
      name: 'one image lacks the newest: the previous common build',
      tags: { a: ['1.5.0-staging.9', '1.5.0-staging.10'], b: ['1.5.0-staging.9', '1.5.0-staging.10'], c: ['1.5.0-staging.9'] },
      pick: '1.5.0-staging.9',
      highest: { a: '1.5.0-staging.10', b: '1.5.0-staging.10', c: '1.5.0-staging.9' },
      lacking: [],
    },
    {
      name: 'numeric identifiers compare numerically, other versions and lines are ignored',
      tags: { a: ['1.5.0-staging.2', '1.5.0-staging.11', '1.6.0-staging.40', '1.5.0'], b: ['1.5.0-staging.11', '1.5.0-staging.2'] },
      pick: '1.5.0-staging.11',
      highest: { a: '1.5.0-staging.11', b: '1.5.0-staging.11' },
      lacking: [],
    },
    {
      name: 'no common build: names the images lacking the newest',
      tags: { a: ['1.5.0-staging.2'], b: ['1.5.0-staging.1'], c: ['1.5.0-staging.2'] },
      pick: undefined,
      highest: { a: '1.5.0-staging.2', b: '1.5.0-staging.1', c: '1.5.0-staging.2' },
      lacking: ['b'],
    },
    {
      name: 'no match anywhere: every image lacks it',
      tags: { a: ['latest'], b: [] },
      pick: undefined,
      highest: { a: null, b: null },
      lacking: ['a', 'b'],
    },
  ])('$name', ({ tags, pick, highest, lacking }) => {
    const result = pickCommonBuild(pattern, tags);
    expect(result.pick).toBe(pick);
    expect(result.highest).toEqual(highest);
    expect(result.lacking).toEqual(lacking);
  });
});

describe('planSetRollback', () => {
  const d = (n: number) => `sha256:${String(n).repeat(64)}`;
  it.each([
    { name: 'moved from a previous digest', before: d(1), after: d(2), action: 'restore' },
    { name: 'never moved', before: d(1), after: d(1), action: 'keep' },
    { name: 'new tag never written', before: null, after: null, action: 'keep' },
    { name: 'new tag written', before: null, after: d(2), action: 'cannot-delete' },
    { name: 'unreadable after a write', before: d(1), after: null, action: 'unknown' },
  ] as const)('$name: $action', ({ before, after, action }) => {
    expect(planSetRollback([{ image: 'r/a', tag: 'prod', before, after, attempted: d(2) }])).toEqual([{ image: 'r/a', tag: 'prod', action }]);
  });
});
