import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, pushImage, runActionYml, startGitHubApi, startRegistry } from '@tagwright/testkit';
import type { GitHubApi, RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const promoteAction = path.join(root, 'promote');
const rollbackAction = path.join(root, 'rollback');
const REVISION = 'org.opencontainers.image.revision';

/**
 * Issue 13, item 4: a service without versions promotes `staging` → `prod` + `prod-{date}-{sha}` with a
 * release named by the same stamp (`release-tag`), created at the built commit; a rollback then writes
 * its notice on that release.
 */
describe('a stamp-named release and a rollback notice on it', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let api: GitHubApi;
  const repo: () => RepositoryReference = () => ({ registry: registry.host, repository: 'svc/orders' });
  const author = { name: 'Ada Lovelace', email: 'ada@example.com' };
  const older = '1'.repeat(40);
  const built = '2'.repeat(40);
  const workflow = '3'.repeat(40);

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
    api = await startGitHubApi({ owner: 'acme', repo: 'orders', token: 'ghs_stamp_release' });
    api.state.addCommits([
      { sha: older, subject: 'feat: older build', author },
      { sha: built, parents: [older], subject: 'fix: the build promoted', author },
      { sha: workflow, parents: [built], subject: 'ci: the promote workflow', author },
    ]);
    api.state.setRef('refs/heads/main', workflow);
  });
  afterAll(async () => {
    await api?.stop();
    await registry?.stop();
  });

  const github = { ref: 'refs/heads/main', sha: workflow, repository: 'acme/orders' };

  it('promote creates the release prod-<date>-<built sha> at the built commit; rollback prepends its notice to it', async () => {
    // An earlier promotion (stamped, with its own stamp-named release), then the build now promoted.
    const previous = await pushImage(client, repo(), { tag: `prod-20261101-${older.slice(0, 7)}`, seed: 'orders-older', labels: { [REVISION]: older } });
    await client.putManifest(repo(), 'prod', await client.getManifest({ ...repo(), digest: previous.digest }));
    api.state.setRef(`refs/tags/prod-20261101-${older.slice(0, 7)}`, older);
    const now = api.state.timestamp();
    api.state.releases.push({
      id: api.state.id(),
      tagName: `prod-20261101-${older.slice(0, 7)}`,
      targetCommitish: older,
      name: `prod-20261101-${older.slice(0, 7)}`,
      body: `Earlier.\n\n${registry.host}/svc/orders@${previous.digest}\n`,
      draft: false,
      prerelease: false,
      createdAt: now,
      publishedAt: now,
      updatedAt: now,
    });
    const image = await pushImage(client, repo(), { tag: 'staging', seed: 'orders-built', labels: { [REVISION]: built } });

    const promoted = await runActionYml(promoteAction, {
      inputs: {
        image: `${registry.host}/svc/orders`,
        source: 'staging',
        targets: 'prod, prod-{date}-{sha}',
        release: 'published',
        'release-tag': 'prod-{date}-{sha}',
        'github-token': api.token,
      },
      github: { ...github, api_url: api.url },
    });

    expect(promoted.exitCode, promoted.stdout + promoted.stderr).toBe(0);
    const stamp = (promoted.outputs.tags ?? '').split('\n').map((ref) => ref.split(':').pop() ?? '').find((tag) => tag.startsWith('prod-')) ?? '';
    expect(stamp).toMatch(new RegExp(`^prod-\\d{8}-${built.slice(0, 7)}$`));
    const release = api.state.releaseByTag(stamp);
    expect(release).toMatchObject({ draft: false, prerelease: false, name: stamp, targetCommitish: built });
    expect(api.state.refs.get(`refs/tags/${stamp}`)?.sha).toBe(built);
    expect(api.state.latestReleaseId).toBe(release!.id);
    expect(release!.body).toContain('the build promoted');
    expect(release!.body).not.toContain('older build');
    expect(release!.body).not.toContain('the promote workflow');
    expect(release!.body).toContain(image.digest);
    expect(promoted.outputs['release-url']).toContain(`/releases/tag/${stamp}`);
    expect(promoted.summary).toContain(`**Release:** [${stamp}]`);
    expect(promoted.summary).toContain(`previous release prod-20261101-${older.slice(0, 7)}`);

    const rolledBack = await runActionYml(rollbackAction, {
      inputs: {
        image: `${registry.host}/svc/orders`,
        'audit-tag': 'prod-rollback-from-{sha}',
        release: 'published',
        'release-notes': 'none',
        'github-token': api.token,
      },
      github: { ...github, api_url: api.url },
    });

    expect(rolledBack.exitCode, rolledBack.stdout + rolledBack.stderr).toBe(0);
    expect((await client.resolveDigest({ ...repo(), tag: 'prod' })).digest).toBe(previous.digest);
    const marked = api.state.releaseByTag(stamp)!;
    expect(marked.body).toMatch(
      new RegExp(`^<!-- tagwright:rollback prod-rollback-from-${built.slice(0, 7)} -->\\n> \\[!WARNING\\]\\n> Rolled back on .*: \`prod\` moved from ${stamp} \\(${image.digest}\\) to prod-20261101-${older.slice(0, 7)} \\(${previous.digest}\\)`),
    );
    expect(api.state.releaseByTag(`prod-20261101-${older.slice(0, 7)}`)!.body).toBe(`Earlier.\n\n${registry.host}/svc/orders@${previous.digest}\n`);
    expect(rolledBack.summary).toContain(`[${stamp}]`);
    expect(rolledBack.summary).toContain('rollback notice prepended');
    api.assertNoViolations();
  });
});
