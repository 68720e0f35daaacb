import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, createGitWorkTree, pushIndex, runActionYml, startGitHubApi, startRegistry } from '@tagwright/testkit';
import type { GitHubApi, GitWorkTree, RunningRegistry } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'promote');

/** Issue 13's two-phase release through the action: draft first, then gated promotion and publication. */
describe('promote action, two-phase release gates', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let api: GitHubApi;
  let work: GitWorkTree;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  const git = (...args: string[]): string => work.git(...args);
  const commit = (message: string, file: string, content: string): string => work.commit(message, file, content);
  const mirror = (): Promise<void> => work.mirror(api.state);
  const run = (inputs: Record<string, string>, sha: string) =>
    runActionYml(action, { inputs: { 'github-token': api.token, ...inputs }, github: { ref: 'refs/heads/main', sha, repository: 'acme/app', api_url: api.url, workspace: work.dir } });

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
    api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_two_phase' });
    work = createGitWorkTree('tw-two-phase-');
  });
  afterAll(async () => {
    await api?.stop();
    await registry?.stop();
    work?.remove();
  });

  it('publishes a draft, refuses without the smoke prerelease and with a TBD changelog, then promotes and publishes the draft unchanged', async () => {
    const changelog = (date: string) => `# Changelog\n\n## [2.0.0] - ${date}\n\n### Added\n\n- the new API\n`;
    let head = commit('docs: changelog 2.0.0', 'CHANGELOG.md', changelog('TBD'));
    git('tag', '2.0.0');
    await mirror();
    const index = await pushIndex(client, repo('acme/two-phase'), { tag: '2.0.0', seed: 'two-phase-2.0.0' });
    const old = await pushIndex(client, repo('acme/two-phase'), { tag: 'latest', seed: 'two-phase-old' });
    const image = `${registry.host}/acme/two-phase`;
    const notes = 'changelog-file:CHANGELOG.md';

    // Phase 1: the version is out, a draft release, no latest.
    const drafted = await run({ image, source: '2.0.0', targets: '2.0', release: 'draft', 'release-notes': notes }, head);
    expect(drafted.exitCode, drafted.stdout + drafted.stderr).toBe(0);
    const draft = api.state.releaseByTag('2.0.0')!;
    expect(draft.draft).toBe(true);

    // Phase 2 inputs: every gate.
    const phase2 = { image, source: '2.0.0', targets: 'latest', 'publish-draft': 'true', 'release-notes': notes, 'require-release': '{version}-smoke', 'require-release-prerelease': 'true', 'require-final-changelog': 'true' };
    const noSmoke = await run(phase2, head);
    expect(noSmoke.exitCode).toBe(1);
    expect(noSmoke.stdout).toMatch(/draft passed \(the draft of 2.0.0 exists\); require-release FAILED \(no release 2.0.0-smoke\); changelog-final FAILED/);
    expect((await client.resolveDigest({ ...repo('acme/two-phase'), tag: 'latest' })).digest).toBe(old.digest);

    const now = api.state.timestamp();
    api.state.releases.push({ id: api.state.id(), tagName: '2.0.0-smoke', targetCommitish: 'main', name: '2.0.0-smoke', body: 'smoke', draft: false, prerelease: true, createdAt: now, publishedAt: now, updatedAt: now });
    const tbd = await run(phase2, head);
    expect(tbd.exitCode).toBe(1);
    expect(tbd.stdout).toMatch(/require-release passed \(2.0.0-smoke exists \(prerelease\)\); changelog-final FAILED \(the changelog section of 2.0.0: its heading "## \[2.0.0\] - TBD" is not final/);
    expect((await client.resolveDigest({ ...repo('acme/two-phase'), tag: 'latest' })).digest).toBe(old.digest);

    // The date is fixed and the tag moved to that commit: every gate passes.
    head = commit('docs: date 2.0.0', 'CHANGELOG.md', changelog('2026-03-04'));
    git('tag', '-f', '2.0.0');
    await mirror();
    const published = await run(phase2, head);
    expect(published.exitCode, published.stdout + published.stderr).toBe(0);
    expect((await client.resolveDigest({ ...repo('acme/two-phase'), tag: 'latest' })).digest).toBe(index.digest);
    const release = api.state.releaseByTag('2.0.0')!;
    expect(release).toMatchObject({ id: draft.id, draft: false, body: draft.body });
    expect(published.summary).toContain('**Release gates:**');
    expect(published.summary).toMatch(/\| changelog-final \| passed \|/);
    expect(published.summary).toMatch(/\| require-release \| passed \|/);
    expect(published.summary).toMatch(/\| draft \| passed \|/);
  });
});
