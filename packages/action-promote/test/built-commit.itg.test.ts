import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, createGitWorkTree, pushImage, pushIndex, readAccessLog, runActionYml, startGitHubApi, startRegistry } from '@tagwright/testkit';
import type { GitHubApi, GitWorkTree, RunningRegistry } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'promote');
const REVISION = 'org.opencontainers.image.revision';

/**
 * Issue 13, item 5: `{sha}` and the release's target commit are the commit the image was built from
 * (its `org.opencontainers.image.revision`), not the commit of the promote workflow.
 */
describe('promote action: the built commit, not the workflow commit', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let api: GitHubApi;
  let work: GitWorkTree;
  /** The commit the images were built from, and the later commit the promote workflow runs on. */
  let built: string;
  let workflow: string;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  const git = (...args: string[]): string => work.git(...args);
  const commit = (message: string, file: string, content: string): string => work.commit(message, file, content);
  const run = (inputs: Record<string, string>) =>
    runActionYml(action, {
      inputs: { 'github-token': api.token, ...inputs },
      github: { ref: 'refs/heads/main', sha: workflow, repository: 'acme/app', api_url: api.url, workspace: work.dir },
    });
  const stampOf = (tags: string | undefined): string => (tags ?? '').split('\n').map((ref) => ref.split(':').pop() ?? '').find((tag) => tag.startsWith('prod-')) ?? '';

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
    api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_built_commit' });
    work = createGitWorkTree('tw-built-commit-');
    commit('feat: first', 'a.txt', 'a\n');
    built = commit('feat: the build', 'b.txt', 'b\n');
    workflow = commit('docs: after the build', 'c.txt', 'c\n');
    await work.mirror(api.state);
  });
  afterAll(async () => {
    await api?.stop();
    await registry?.stop();
    work?.remove();
  });

  describe('when sha is not given and the image carries the revision label', () => {
    it("stamps {sha} from the label, not the workflow's commit, and the summary says where it came from", async () => {
      const image = await pushImage(client, repo('built/labelled'), { tag: 'staging', labels: { [REVISION]: built } });

      const result = await run({ image: `${registry.host}/built/labelled`, source: 'staging', targets: 'prod, prod-{date}-{sha}' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const stamp = stampOf(result.outputs.tags);
      expect(stamp).toMatch(new RegExp(`^prod-\\d{8}-${built.slice(0, 7)}$`));
      expect((await client.resolveDigest({ ...repo('built/labelled'), tag: stamp })).digest).toBe(image.digest);
      expect(result.summary).toContain(`\`{sha}\` is \`${built.slice(0, 7)}\` (${built}), from the source image's \`${REVISION}\``);
      expect(result.summary).not.toContain('[!NOTE]');
    });

    it('reads it through a multi-arch index too', async () => {
      const index = await pushIndex(client, repo('built/index'), { tag: 'staging', labels: { [REVISION]: built } });
      const result = await run({ image: `${registry.host}/built/index`, source: 'staging', targets: 'prod-{date}-{sha}' });
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const stamp = stampOf(result.outputs.tags);
      expect(stamp).toMatch(new RegExp(`^prod-\\d{8}-${built.slice(0, 7)}$`));
      expect((await client.resolveDigest({ ...repo('built/index'), tag: stamp })).digest).toBe(index.digest);
    });
  });

  describe('when the image has no revision label', () => {
    it("falls back to the workflow's commit with a note in the summary", async () => {
      const image = await pushImage(client, repo('built/plain'), { tag: 'staging' });

      const result = await run({ image: `${registry.host}/built/plain`, source: 'staging', targets: 'prod-{date}-{sha}' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const stamp = stampOf(result.outputs.tags);
      expect(stamp).toMatch(new RegExp(`^prod-\\d{8}-${workflow.slice(0, 7)}$`));
      expect((await client.resolveDigest({ ...repo('built/plain'), tag: stamp })).digest).toBe(image.digest);
      expect(result.summary).toContain("from the workflow's commit.");
      expect(result.summary).toContain(`> [!NOTE]\n> the image has no ${REVISION} label or annotation: {sha} is the workflow's commit ${workflow.slice(0, 7)}`);
    });
  });

  describe('when sha is given', () => {
    it('wins over the label, and no image config is read for it', async () => {
      const image = await pushImage(client, repo('built/explicit'), { tag: 'staging', labels: { [REVISION]: built } });
      const before = (await readAccessLog(registry)).length;

      const result = await run({ image: `${registry.host}/built/explicit`, source: 'staging', targets: 'prod-{date}-{sha}', sha: 'ABCDEF1' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const stamp = stampOf(result.outputs.tags);
      expect(stamp).toMatch(/^prod-\d{8}-abcdef1$/);
      expect((await client.resolveDigest({ ...repo('built/explicit'), tag: stamp })).digest).toBe(image.digest);
      expect(result.summary).toContain('from the `sha` input.');
      const blobReads = (await readAccessLog(registry)).slice(before).filter((entry) => entry.method === 'GET' && entry.path.includes(`/blobs/${image.configDigest}`));
      expect(blobReads).toEqual([]);
    });
  });

  describe('when promote creates the release and its git tag', () => {
    it("creates the tag at the built commit from the label, not at the workflow's commit", async () => {
      await pushImage(client, repo('built/release'), { tag: '3.0.0', labels: { [REVISION]: built } });

      const result = await run({ image: `${registry.host}/built/release`, source: '3.0.0', targets: 'prod', release: 'published', 'release-notes': 'none' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(api.state.releaseByTag('3.0.0')).toMatchObject({ draft: false, targetCommitish: built });
      expect(api.state.refs.get('refs/tags/3.0.0')?.sha).toBe(built);
      expect(result.summary).toContain(`from the source image's \`${REVISION}\``);
      api.assertNoViolations();
    });
  });

  describe('when a release set is stamped', () => {
    it("stamps every image with the first image's revision, read from the manifest the plan reads", async () => {
      const digests: Record<string, string> = {};
      for (const name of ['api', 'web']) digests[name] = (await pushImage(client, repo(`built/set-${name}`), { tag: '4.0.0-staging.1', labels: { [REVISION]: built } })).digest;

      const result = await run({ images: `${registry.host}/built/set-api, ${registry.host}/built/set-web`, source: '4.0.0-staging.*', targets: 'prod-{date}-{sha}' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const stamps = (result.outputs.tags ?? '').split('\n').map((ref) => ref.split(':').pop());
      expect(stamps).toHaveLength(2);
      for (const stamp of stamps) expect(stamp).toMatch(new RegExp(`^prod-\\d{8}-${built.slice(0, 7)}$`));
      for (const name of ['api', 'web']) expect((await client.resolveDigest({ ...repo(`built/set-${name}`), tag: stamps[0] as string })).digest).toBe(digests[name]);
      expect(result.summary).toContain(`from the source image's \`${REVISION}\``);
      expect(result.summary).not.toContain('not all built from');
    });
  });
});
