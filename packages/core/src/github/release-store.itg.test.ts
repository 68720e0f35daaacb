import { startGitHubApi, type GitHubApi } from '@tagwright/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReleaseStore } from '../release/store.js';
import { createGitHubClient } from './client.js';
import { githubReleaseStore } from './release-store.js';

const sha = (n: number): string => n.toString(16).padStart(40, '0');

let api: GitHubApi;
let store: ReleaseStore;

beforeEach(async () => {
  api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_secret_token_value' });
  const github = createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: api.url, userAgent: 'tagwright-test', throttling: false });
  store = githubReleaseStore(github, { serverUrl: 'https://github.example.com/' });
});

afterEach(async () => {
  await api.stop();
  api.assertNoViolations();
});

describe('githubReleaseStore', () => {
  describe('when it is built', () => {
    it('names the repository and its web page, and can set make_latest', () => {
      expect(store).toMatchObject({ repository: 'acme/app', webUrl: 'https://github.example.com/acme/app', capabilities: { makeLatest: true } });
    });
  });

  describe('when a release is created, found and published from a draft', () => {
    it('returns forge-neutral releases with their page URL', async () => {
      const { release, created } = await store.createOrUpdateRelease({ tag: 'v1.0.0', name: 'v1.0.0', body: 'notes', draft: true, prerelease: false, makeLatest: 'true', targetCommitish: sha(1) });
      expect(created).toBe(true);
      expect(release).toMatchObject({ tagName: 'v1.0.0', name: 'v1.0.0', body: 'notes', draft: true, prerelease: false });
      expect(release.url).toMatch(/^https?:\/\//);
      expect(await store.findReleaseByTag('v1.0.0')).toEqual(release);
      expect(await store.findReleaseByTag('v9.9.9')).toBeUndefined();
      const published = await store.publishDraft(release.id, { makeLatest: 'true' });
      expect(published).toMatchObject({ id: release.id, draft: false });
      expect((await store.listReleases()).map((r) => r.tagName)).toEqual(['v1.0.0']);
    });
  });

  describe('when tags are created', () => {
    it('creates a tag once and answers exists for the second caller', async () => {
      expect(await store.createTag('v1.0.0', sha(1))).toBe('created');
      expect(await store.createTag('v1.0.0', sha(2))).toBe('exists');
      expect(await store.tagExists('v1.0.0')).toBe(true);
      expect(await store.tagExists('1.0.0')).toBe(false);
      expect(await store.listTags()).toEqual(['v1.0.0']);
    });
  });
});
