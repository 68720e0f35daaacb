import { startGitHubApi, type GitHubApi } from '@tagwright/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, PolicyError } from '../errors.js';
import { createGitHubClient, type GitHubClient } from './client.js';
import { reserveStagingTag } from './staging.js';

const sha = (n: number): string => n.toString(16).padStart(40, 'c');

let api: GitHubApi;
let github: GitHubClient;
const client = (): GitHubClient =>
  createGitHubClient({ token: api.token, repository: `${api.owner}/${api.repo}`, baseUrl: api.url, throttling: false });

beforeEach(async () => {
  api = await startGitHubApi({ owner: 'acme', repo: 'app' });
  github = client();
});

afterEach(async () => {
  await api.stop();
  api.assertNoViolations();
});

describe('reserveStagingTag', () => {
  describe('when 20 runs reserve at once for different commits', () => {
    it('gives each a distinct N, 0 to 19, each tag at its own commit', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => reserveStagingTag({ github: client(), base: '1.2.3', sha: sha(i) })),
      );
      expect(results.map((r) => r.n).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      for (const [i, result] of results.entries()) {
        expect(result.created).toBe(true);
        expect(result.tag).toBe(`1.2.3-staging.${result.n}`);
        expect(api.state.peel(`refs/tags/${result.tag}`)).toBe(sha(i));
      }
      // No stray ref: exactly the 20 reserved tags exist.
      expect([...api.state.refs.keys()].sort()).toEqual(results.map((r) => `refs/tags/${r.tag}`).sort());
      // Losers saw "Reference already exists" and moved on: more attempts than tags.
      expect(results.reduce((sum, r) => sum + r.attempts, 0)).toBeGreaterThan(20);
    });
  });

  describe('when the same job is re-run for the same commit', () => {
    it('returns the tag it reserved before without creating another', async () => {
      const first = await reserveStagingTag({ github, base: '1.2.3', sha: sha(1) });
      await reserveStagingTag({ github, base: '1.2.3', sha: sha(2) });
      const again = await reserveStagingTag({ github, base: '1.2.3', sha: sha(1) });
      expect(first).toEqual({ tag: '1.2.3-staging.0', n: 0, attempts: 1, created: true });
      expect(again).toEqual({ tag: '1.2.3-staging.0', n: 0, attempts: 0, created: false });
      expect([...api.state.refs.keys()].sort()).toEqual(['refs/tags/1.2.3-staging.0', 'refs/tags/1.2.3-staging.1']);
    });

    it('recognizes its own tag when the listing missed it (422 at the same commit)', async () => {
      await github.createTagRef('1.2.3-staging.0', sha(5));
      const blind = { ...github, listMatchingRefs: async () => [] };
      expect(await reserveStagingTag({ github: blind, base: '1.2.3', sha: sha(5) })).toEqual({
        tag: '1.2.3-staging.0', n: 0, attempts: 1, created: false,
      });
    });
  });

  describe('when a hint names higher tags', () => {
    it('starts above the highest hinted N and ignores other bases', async () => {
      await github.createTagRef('1.2.3-staging.2', sha(1));
      const result = await reserveStagingTag({
        github, base: '1.2.3', sha: sha(2), existingTags: ['1.2.3-staging.7', '1.2.30-staging.99', 'v1.2.3-staging.50', 'latest'],
      });
      expect(result).toMatchObject({ tag: '1.2.3-staging.8', n: 8, created: true });
    });

    it('keeps a v prefix of the base', async () => {
      expect((await reserveStagingTag({ github, base: 'v2.0.0', sha: sha(1) })).tag).toBe('v2.0.0-staging.0');
    });
  });

  describe('when an override is given', () => {
    it('creates it, accepts it again at the same commit, and refuses it at another', async () => {
      expect(await reserveStagingTag({ github, base: '1.2.3', sha: sha(1), override: '1.2.3-staging.42' })).toEqual({
        tag: '1.2.3-staging.42', n: 42, attempts: 1, created: true,
      });
      expect(await reserveStagingTag({ github, base: '1.2.3', sha: sha(1), override: '1.2.3-staging.42' })).toMatchObject({ created: false });
      const refused = reserveStagingTag({ github, base: '1.2.3', sha: sha(2), override: '1.2.3-staging.42' });
      await expect(refused).rejects.toThrow(PolicyError);
      await expect(reserveStagingTag({ github, base: '1.2.3', sha: sha(2), override: '1.2.3-staging.42' })).rejects.toThrow(
        `reserve the staging tag 1.2.3-staging.42: it already exists at ${sha(1)}, not at ${sha(2)}`,
      );
      expect(api.state.peel('refs/tags/1.2.3-staging.42')).toBe(sha(1));
    });
  });

  describe('when every attempt is taken', () => {
    it('stops after maxAttempts with a clear PolicyError', async () => {
      for (let n = 0; n < 3; n++) await github.createTagRef(`1.2.3-staging.${n}`, sha(100 + n));
      const blind = { ...github, listMatchingRefs: async () => [] };
      const run = reserveStagingTag({ github: blind, base: '1.2.3', sha: sha(1), maxAttempts: 3 });
      await expect(run).rejects.toThrow(PolicyError);
      await expect(reserveStagingTag({ github: blind, base: '1.2.3', sha: sha(1), maxAttempts: 3 })).rejects.toThrow(
        '3 attempts from 1.2.3-staging.0 to 1.2.3-staging.2 were all taken by other commits',
      );
      expect(api.state.refs.size).toBe(3);
    });
  });

  describe('when the input is bad', () => {
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
      await expect(reserveStagingTag({ github, ...options })).rejects.toThrow(ConfigurationError);
      expect(api.requests).toHaveLength(0);
    });
  });
});
