import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FORGES, type ForgeUnderTest } from './forges.fixture.js';
import type { ReleaseStore } from './store.js';

const sha = (n: number): string => n.toString(16).padStart(40, 'a');

describe.each(FORGES)('ReleaseStore on $name (contract)', ({ name, skip, start }) => {
  let forge: ForgeUnderTest;
  let store: ReleaseStore;

  beforeEach(async () => {
    if (skip) return;
    forge = await start();
    forge.seedCommits([sha(1), sha(2), sha(3)]);
    store = forge.store();
  });
  afterEach(async () => {
    if (!skip) await forge.stop();
  });

  describe.skipIf(skip)('when it is built', () => {
    it('names the repository and says whether it can set "latest"', () => {
      expect(store.repository).toBe('acme/app');
      expect(store.webUrl).toMatch(/^https?:\/\/.+\/acme\/app$/);
      if (name === 'github') expect(store.capabilities).toEqual({ makeLatest: true });
      else expect(store.capabilities).toEqual({ makeLatest: false, latestExplanation: expect.stringMatching(/newest release that is neither a draft nor a pre-release, by date/) });
    });
  });

  describe.skipIf(skip)('when a release is created as a draft, found, updated and published', () => {
    it('returns forge-neutral releases and never turns a published release back into a draft', async () => {
      const { release, created } = await store.createOrUpdateRelease({ tag: 'v1.0.0', name: 'v1.0.0', body: 'notes', draft: true, prerelease: false, makeLatest: 'true', targetCommitish: sha(1) });
      expect(created).toBe(true);
      expect(release).toMatchObject({ tagName: 'v1.0.0', name: 'v1.0.0', body: 'notes', draft: true, prerelease: false });
      expect(release.url).toMatch(/^https?:\/\//);
      expect(await store.findReleaseByTag('v1.0.0')).toEqual(release);
      expect(await store.findReleaseByTag('v9.9.9')).toBeUndefined();
      const published = await store.publishDraft(release.id, { makeLatest: 'true' });
      expect(published).toMatchObject({ id: release.id, draft: false });
      expect(forge.peel('v1.0.0')).toBe(sha(1));
      const again = await store.createOrUpdateRelease({ tag: 'v1.0.0', name: 'v1.0.0', body: 'better notes', draft: true, prerelease: false, targetCommitish: sha(1) });
      expect(again).toMatchObject({ created: false, release: { id: release.id, draft: false, body: 'better notes' } });
      expect((await store.listReleases()).map((r) => r.tagName)).toEqual(['v1.0.0']);
    });

    it('creates a published pre-release and its tag', async () => {
      const { release } = await store.createOrUpdateRelease({ tag: 'v2.0.0-rc.1', name: 'v2.0.0-rc.1', body: 'rc', draft: false, prerelease: true, targetCommitish: sha(2) });
      expect(release).toMatchObject({ draft: false, prerelease: true });
      expect(await store.tagExists('v2.0.0-rc.1')).toBe(true);
      expect(await store.tagCommit('v2.0.0-rc.1')).toBe(sha(2));
    });
  });

  describe.skipIf(skip)('when tags are created', () => {
    it('creates a tag once and answers exists for the second caller', async () => {
      expect(await store.createTag('v1.0.0', sha(1))).toBe('created');
      expect(await store.createTag('v1.0.0', sha(2))).toBe('exists');
      expect(await store.tagExists('v1.0.0')).toBe(true);
      expect(await store.tagExists('1.0.0')).toBe(false);
      expect(await store.tagCommit('v1.0.0')).toBe(sha(1));
      expect(await store.tagCommit('1.0.0')).toBeUndefined();
      expect(await store.listTags()).toEqual(['v1.0.0']);
    });

    it('lists the tags of a prefix with their commits', async () => {
      await store.createTag('1.2.3-staging.0', sha(1));
      await store.createTag('1.2.3-staging.1', sha(2));
      await store.createTag('1.2.30-staging.0', sha(3));
      const listed = await store.listTagCommits('1.2.3-staging.');
      expect(listed.sort((a, b) => a.tag.localeCompare(b.tag))).toEqual([
        { tag: '1.2.3-staging.0', commitSha: sha(1) },
        { tag: '1.2.3-staging.1', commitSha: sha(2) },
      ]);
    });

    it('gives exactly one of 10 concurrent creators of a tag "created"', async () => {
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => forge.store().createTag('v3.0.0', sha(1 + (i % 3)))));
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'exists')).toHaveLength(9);
    });
  });
});
