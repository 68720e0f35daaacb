import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, PolicyError } from '../errors.js';
import { FORGES, type ForgeUnderTest } from './forges.fixture.js';
import { reserveStagingTag } from './staging.js';
import type { TagStore } from './store.js';

const sha = (n: number): string => n.toString(16).padStart(40, 'c');

describe.each(FORGES)('reserveStagingTag on $name', ({ skip, start }) => {
  let forge: ForgeUnderTest;
  let tags: TagStore;
  beforeEach(async () => {
    if (skip) return;
    forge = await start();
    forge.seedCommits([...Array.from({ length: 20 }, (_, i) => sha(i)), ...[100, 101, 102].map(sha)]);
    tags = forge.store();
  });
  afterEach(async () => {
    if (!skip) await forge.stop();
  });
  const describe_ = describe.skipIf(skip);

  describe_('when 20 runs reserve at once for different commits', () => {
    it('gives each a distinct N, 0 to 19, each tag at its own commit', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => reserveStagingTag({ tags: forge.store(), base: '1.2.3', sha: sha(i) })),
      );
      expect(results.map((r) => r.n).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      for (const [i, result] of results.entries()) {
        expect(result.created).toBe(true);
        expect(result.tag).toBe(`1.2.3-staging.${result.n}`);
        expect(forge.peel(result.tag)).toBe(sha(i));
      }
      // No stray ref: exactly the 20 reserved tags exist.
      expect(forge.tagNames().sort()).toEqual(results.map((r) => r.tag).sort());
      // Losers saw "Reference already exists" and moved on: more attempts than tags.
      expect(results.reduce((sum, r) => sum + r.attempts, 0)).toBeGreaterThan(20);
    });
  });

  describe_('when the same job is re-run for the same commit', () => {
    it('returns the tag it reserved before without creating another', async () => {
      const first = await reserveStagingTag({ tags, base: '1.2.3', sha: sha(1) });
      await reserveStagingTag({ tags, base: '1.2.3', sha: sha(2) });
      const again = await reserveStagingTag({ tags, base: '1.2.3', sha: sha(1) });
      expect(first).toEqual({ tag: '1.2.3-staging.0', n: 0, attempts: 1, created: true });
      expect(again).toEqual({ tag: '1.2.3-staging.0', n: 0, attempts: 0, created: false });
      expect(forge.tagNames().sort()).toEqual(['1.2.3-staging.0', '1.2.3-staging.1']);
    });

    it('recognizes its own tag when the listing missed it (exists at the same commit)', async () => {
      await tags.createTag('1.2.3-staging.0', sha(5));
      const blind: TagStore = { ...tags, listTagCommits: async () => [] };
      expect(await reserveStagingTag({ tags: blind, base: '1.2.3', sha: sha(5) })).toEqual({
        tag: '1.2.3-staging.0', n: 0, attempts: 1, created: false,
      });
    });
  });

  describe_('when a hint names higher tags', () => {
    it('starts above the highest hinted N and ignores other bases', async () => {
      await tags.createTag('1.2.3-staging.2', sha(1));
      const result = await reserveStagingTag({
        tags, base: '1.2.3', sha: sha(2), existingTags: ['1.2.3-staging.7', '1.2.30-staging.99', 'v1.2.3-staging.50', 'latest'],
      });
      expect(result).toMatchObject({ tag: '1.2.3-staging.8', n: 8, created: true });
    });

    it('keeps a v prefix of the base', async () => {
      expect((await reserveStagingTag({ tags, base: 'v2.0.0', sha: sha(1) })).tag).toBe('v2.0.0-staging.0');
    });
  });

  describe_('when an override is given', () => {
    it('creates it, accepts it again at the same commit, and refuses it at another', async () => {
      expect(await reserveStagingTag({ tags, base: '1.2.3', sha: sha(1), override: '1.2.3-staging.42' })).toEqual({
        tag: '1.2.3-staging.42', n: 42, attempts: 1, created: true,
      });
      expect(await reserveStagingTag({ tags, base: '1.2.3', sha: sha(1), override: '1.2.3-staging.42' })).toMatchObject({ created: false });
      const refused = reserveStagingTag({ tags, base: '1.2.3', sha: sha(2), override: '1.2.3-staging.42' });
      await expect(refused).rejects.toThrow(PolicyError);
      await expect(reserveStagingTag({ tags, base: '1.2.3', sha: sha(2), override: '1.2.3-staging.42' })).rejects.toThrow(
        `reserve the staging tag 1.2.3-staging.42: it already exists at ${sha(1)}, not at ${sha(2)}`,
      );
      expect(forge.peel('1.2.3-staging.42')).toBe(sha(1));
    });
  });

  describe_('when every attempt is taken', () => {
    it('stops after maxAttempts with a clear PolicyError', async () => {
      for (let n = 0; n < 3; n++) await tags.createTag(`1.2.3-staging.${n}`, sha(100 + n));
      const blind: TagStore = { ...tags, listTagCommits: async () => [] };
      const run = reserveStagingTag({ tags: blind, base: '1.2.3', sha: sha(1), maxAttempts: 3 });
      await expect(run).rejects.toThrow(PolicyError);
      await expect(reserveStagingTag({ tags: blind, base: '1.2.3', sha: sha(1), maxAttempts: 3 })).rejects.toThrow(
        '3 attempts from 1.2.3-staging.0 to 1.2.3-staging.2 were all taken by other commits',
      );
      expect(forge.tagNames()).toHaveLength(3);
    });
  });

  describe_('when the input is bad', () => {
    it.each([
      ['a base with a prerelease', { base: '1.2.3-rc.1', sha: sha(1) }],
      ['a base that is not SemVer', { base: 'main', sha: sha(1) }],
      ['a base with two v', { base: 'vv1.2.3', sha: sha(1) }],
      ['a base with a space', { base: ' 1.2.3', sha: sha(1) }],
      ['a base with build metadata', { base: '1.2.3+b.1', sha: sha(1) }],
      ['an override with two v', { base: '1.2.3', sha: sha(1), override: 'vv1.2.3-staging.1' }],
      ['a short sha', { base: '1.2.3', sha: 'abc' }],
      ['an override that is not SemVer', { base: '1.2.3', sha: sha(1), override: 'staging-7' }],
      ['an override that is not a tag name', { base: '1.2.3', sha: sha(1), override: '1.2.3 staging' }],
      ['maxAttempts 0', { base: '1.2.3', sha: sha(1), maxAttempts: 0 }],
    ])('refuses %s before any request', async (_what, options) => {
      const before = forge.requestCount();
      await expect(reserveStagingTag({ tags, ...options })).rejects.toThrow(ConfigurationError);
      expect(forge.requestCount()).toBe(before);
    });
  });
});
