import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubApi, type GitHubApi } from '@tagwright/testkit';
import { createGitHubReleases, type ReleasePlan } from './release-refs.js';

const report: ReleasePlan = {
  mainCommit: '1'.repeat(40),
  releaseCommit: '2'.repeat(40),
  versions: { promote: '2.0.1', rollback: '2.1.0-rc.0' },
  releases: [
    { action: 'promote', package: '@tagwright/action-promote', version: '2.0.1', tag: 'promote/v2.0.1', prerelease: false, notes: '### Patch Changes\n\n- A promote fix.' },
    { action: 'rollback', package: '@tagwright/action-rollback', version: '2.1.0-rc.0', tag: 'rollback/v2.1.0-rc.0', prerelease: true, notes: '### Minor Changes\n\n- Faster.' },
  ],
  updates: [],
  kept: [],
};

describe('createGitHubReleases (the GitHub API double)', () => {
  let api: GitHubApi;
  beforeAll(async () => {
    api = await startGitHubApi({ owner: 'acme', repo: 'tagwright' });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('creates one release per action release with its changeset notes, a prerelease for a SemVer prerelease', async () => {
    const results = await createGitHubReleases(report, { apiUrl: api.url, repository: 'acme/tagwright', token: api.token });
    expect(results.map((r) => [r.tag, r.created])).toEqual([
      ['promote/v2.0.1', true],
      ['rollback/v2.1.0-rc.0', true],
    ]);
    expect(api.state.releases.map((r) => ({ tag: r.tagName, name: r.name, body: r.body, prerelease: r.prerelease, draft: r.draft }))).toEqual([
      { tag: 'promote/v2.0.1', name: 'promote v2.0.1', body: '### Patch Changes\n\n- A promote fix.', prerelease: false, draft: false },
      { tag: 'rollback/v2.1.0-rc.0', name: 'rollback v2.1.0-rc.0', body: '### Minor Changes\n\n- Faster.', prerelease: true, draft: false },
    ]);
    expect(api.violations).toEqual([]);
  });

  it('leaves a release that exists as it is when the job is re-run', async () => {
    const results = await createGitHubReleases(report, { apiUrl: api.url, repository: 'acme/tagwright', token: api.token });
    expect(results.map((r) => r.created)).toEqual([false, false]);
    expect(api.state.releases).toHaveLength(2);
    expect(api.violations).toEqual([]);
  });

  it('refuses a token GitHub refuses, naming the release, without printing the token', async () => {
    await expect(createGitHubReleases(report, { apiUrl: api.url, repository: 'acme/tagwright', token: 'ghp_wrong' })).rejects.toThrow(
      /^read the GitHub release promote\/v2\.0\.1: HTTP 401$/,
    );
  });
});
