import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, createGitWorkTree, pushImage, runActionYml, startGitHubApi, startRegistry } from '@tagwright/testkit';
import type { GitHubApi, GitWorkTree, RunningRegistry } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'promote');

/** Issue 13, item 4: the prerelease notes of a staging build come from its base version's changelog file. */
describe('promote action: release notes of a staging build X.Y.Z-staging.N', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let api: GitHubApi;
  let work: GitWorkTree;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  const git = (...args: string[]): string => work.git(...args);

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
    api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_staging_notes' });
    work = createGitWorkTree('tw-staging-notes-');
  });
  afterAll(async () => {
    await api?.stop();
    await registry?.stop();
    work?.remove();
  });

  it.each(['CHANGELOGS/{base}.md', 'CHANGELOGS/{version}.md'])(
    'with %s reads CHANGELOGS/1.5.0.md for a 1.5.0-staging.N build and says which staging build it is',
    async (template) => {
      const build = template.includes('{base}') ? 3 : 4;
      mkdirSync(path.join(work.dir, 'CHANGELOGS'), { recursive: true });
      writeFileSync(path.join(work.dir, 'CHANGELOGS', '1.5.0.md'), '## Highlights\n\n- release sets\n');
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', `docs: notes of 1.5.0 (${build})`);
      const head = git('rev-parse', 'HEAD');
      git('tag', `1.5.0-staging.${build}`);
      await work.mirror(api.state);
      await pushImage(client, repo('acme/staging-notes'), { tag: `1.5.0-staging.${build}`, seed: `staging-${build}` });

      const result = await runActionYml(action, {
        inputs: {
          image: `${registry.host}/acme/staging-notes`,
          source: `1.5.0-staging.${build}`,
          targets: 'staging',
          release: 'published',
          'release-notes': `changelog-file:${template}`,
          'github-token': api.token,
        },
        github: { ref: 'refs/heads/staging', sha: head, repository: 'acme/app', api_url: api.url, workspace: work.dir },
      });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const release = api.state.releaseByTag(`1.5.0-staging.${build}`);
      expect(release).toMatchObject({ prerelease: true, draft: false });
      expect(release!.body).toMatch(new RegExp(`^Staging build ${build} of 1\\.5\\.0\\.\\n\\n## Highlights\\n\\n- release sets\\n`));
      expect(result.summary).toContain('notes from changelog CHANGELOGS/1.5.0.md');
      api.assertNoViolations();
    },
  );
});
