import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { commitRange, createGitRunner } from '@tagwright/core/git';
import { clientFor, createSigstoreMock, gitTestEnv, pushImage, pushIndex, pushLegacySignatures, readAccessLog, runActionYml, startGitHubApi, startRegistry } from '@tagwright/testkit';
import type { GitHubApi, RunningRegistry, SigstoreMock } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'promote');
const gitEnv = gitTestEnv();

/** A real git repository in a temp dir, with helpers to commit and tag. */
function createRepo(): { dir: string; git: (...args: string[]) => string; commit: (message: string, file?: string, content?: string) => string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-release-repo-'));
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  git('config', 'tag.gpgsign', 'false');
  const commit = (message: string, file = 'file.txt', content?: string): string => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content ?? `${message}\n${Math.random()}\n`);
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  return { dir, git, commit };
}

describe('promote action, GitHub release', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let api: GitHubApi;
  const dirs: string[] = [];
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
  });

  afterAll(async () => {
    await registry?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_release_test' });
  });

  afterEach(async () => {
    await api.stop();
  });

  /** Mirrors the local repository into the double: every commit and every tag. */
  async function mirror(dir: string, gitFn: (...args: string[]) => string): Promise<void> {
    const runner = createGitRunner({ env: gitEnv });
    const heads = gitFn('for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/tags').split('\n').filter(Boolean);
    for (const ref of heads) {
      api.state.addCommits(await commitRange(runner, dir, undefined, ref));
      api.state.setRef(ref, gitFn('rev-parse', `${ref}^{commit}`));
    }
  }

  /** Adds a published (or prerelease) GitHub release, as if made earlier. */
  function addRelease(tagName: string, options: { prerelease?: boolean; latest?: boolean } = {}): void {
    const now = api.state.timestamp();
    const id = api.state.id();
    api.state.releases.push({
      id,
      tagName,
      targetCommitish: 'main',
      name: tagName,
      body: `Release ${tagName}`,
      draft: false,
      prerelease: options.prerelease ?? false,
      createdAt: now,
      publishedAt: now,
      updatedAt: now,
    });
    if (options.latest) api.state.latestReleaseId = id;
  }

  function run(inputs: Record<string, string>, workspace: string, sha = '0'.repeat(40)) {
    return runActionYml(action, {
      inputs: { 'github-token': api.token, ...inputs },
      github: { ref: 'refs/heads/main', sha, repository: 'acme/app', api_url: api.url, workspace },
    });
  }

  const createRequests = () => api.requests.filter((r) => r.operationId === 'repos/create-release');

  describe('when a backport 1.2.1 is promoted while 1.3.0 is the latest release', () => {
    it('compares with 1.2.0 from the local clone and does not make it latest', async () => {
      const { dir, git, commit } = createRepo();
      dirs.push(dir);
      commit('feat: first feature (#10)');
      git('tag', '-a', '1.2.0', '-m', 'release 1.2.0');
      commit('feat: second feature (#12)');
      git('tag', '-a', '1.3.0', '-m', 'release 1.3.0');
      git('checkout', '-q', '-b', 'release-1.2', '1.2.0');
      const fix = commit('fix: backported fix (#13)', 'backport.txt');
      git('tag', '-a', '1.2.1', '-m', 'release 1.2.1');
      await mirror(dir, git);
      addRelease('1.2.0');
      addRelease('1.3.0', { latest: true });
      const latestBefore = api.state.latestReleaseId;
      const image = await pushIndex(client, repo('acme/backport'), { tag: '1.2.1', seed: 'backport-1.2.1' });

      const result = await run(
        { image: `${registry.host}/acme/backport`, source: '1.2.1', targets: 'stable-1.2', release: 'published' },
        dir,
        fix,
      );

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const release = api.state.releaseByTag('1.2.1');
      expect(release).toMatchObject({ draft: false, prerelease: false, name: '1.2.1' });
      expect(release!.body).toContain('### Bug fixes');
      expect(release!.body).toContain('backported fix ([#13](https://github.com/acme/app/pull/13)');
      expect(release!.body).not.toContain('second feature');
      expect(release!.body).not.toContain('first feature');
      expect(release!.body).toContain('https://github.com/acme/app/compare/1.2.0...1.2.1');
      expect(release!.body).toContain(`| \`${registry.host}/acme/backport\` | \`${image.digest}\` |`);
      expect(createRequests().map((r) => (r.body as { make_latest?: string }).make_latest)).toEqual(['false']);
      expect(api.state.latestReleaseId).toBe(latestBefore);
      expect(result.outputs['release-url']).toBe('https://github.com/acme/app/releases/tag/1.2.1');
      expect(result.summary).toContain('**Release:** [1.2.1](https://github.com/acme/app/releases/tag/1.2.1) created (published, make_latest false)');
      expect(result.summary).toContain('previous release 1.2.0');
      // The notes came from the clone: GitHub was not asked to compare.
      expect(api.requests.some((r) => r.operationId?.startsWith('repos/compare'))).toBe(false);
      api.assertNoViolations();
    });
  });

  describe('when the first release is promoted', () => {
    it('finds the v-prefixed tag, lists every commit and makes it latest', async () => {
      const { dir, git, commit } = createRepo();
      dirs.push(dir);
      commit('chore: scaffold');
      const head = commit('feat: hello world');
      git('tag', 'v1.0.0');
      await mirror(dir, git);
      await pushIndex(client, repo('acme/first'), { tag: '1.0.0', seed: 'first-1.0.0' });

      const result = await run(
        { image: `${registry.host}/acme/first`, source: '1.0.0', targets: 'prod', release: 'published' },
        dir,
        head,
      );

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(api.state.releaseByTag('1.0.0')).toBeUndefined();
      const release = api.state.releaseByTag('v1.0.0');
      expect(release?.body).toContain('### Features\n\n- hello world');
      expect(release?.body).toContain('### Other changes\n\n- scaffold');
      expect(release?.body).not.toContain('Full changelog');
      expect(api.state.latestReleaseId).toBe(release!.id);
      expect(createRequests().map((r) => (r.body as { make_latest?: string }).make_latest)).toEqual(['true']);
      expect(result.summary).toContain('first release');
      api.assertNoViolations();
    });
  });

  describe('when a prerelease is promoted and the workspace is not a clone', () => {
    it('compares with the previous rc through GitHub and marks it a prerelease, not latest', async () => {
      const { dir, git, commit } = createRepo();
      dirs.push(dir);
      commit('feat: one');
      git('tag', '1.2.0');
      commit('feat: rc one work');
      git('tag', '2.0.0-rc.1');
      const head = commit('fix: rc two fix');
      git('tag', '2.0.0-rc.2');
      await mirror(dir, git);
      addRelease('1.2.0', { latest: true });
      addRelease('2.0.0-rc.1', { prerelease: true });
      const latestBefore = api.state.latestReleaseId;
      await pushIndex(client, repo('acme/rc'), { tag: '2.0.0-rc.2', seed: 'rc-2' });
      const empty = mkdtempSync(path.join(tmpdir(), 'tw-release-empty-'));
      dirs.push(empty);

      const result = await run(
        { image: `${registry.host}/acme/rc`, source: '2.0.0-rc.2', targets: 'next', release: 'published' },
        empty,
        head,
      );

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const release = api.state.releaseByTag('2.0.0-rc.2');
      expect(release).toMatchObject({ prerelease: true, draft: false });
      expect(release!.body).toContain('rc two fix');
      expect(release!.body).not.toContain('rc one work');
      expect(release!.body).toContain('compare/2.0.0-rc.1...2.0.0-rc.2');
      expect(createRequests().map((r) => (r.body as { make_latest?: string }).make_latest)).toEqual(['false']);
      expect(api.state.latestReleaseId).toBe(latestBefore);
      expect(api.requests.some((r) => r.operationId?.startsWith('repos/compare') && r.status === 200)).toBe(true);
      api.assertNoViolations();
    });
  });

  describe('when the release cannot be created after the tags moved', () => {
    it('fails with a partial change report naming the promoted digest, and prints no credential', async () => {
      const { dir, git, commit } = createRepo();
      dirs.push(dir);
      const head = commit('feat: one');
      git('tag', '5.0.0');
      await mirror(dir, git);
      const build = await pushIndex(client, repo('acme/releasefails'), { tag: '5.0.0', seed: 'releasefails-5.0.0' });
      const secret = 'ghs_leakedTokenValue123';
      api.injectFailure({
        operationId: 'repos/create-release',
        status: 422,
        message: `Validation Failed at https://x-access-token:${secret}@github.example/acme/app`,
      });

      const result = await run({ image: `${registry.host}/acme/releasefails`, source: '5.0.0', targets: 'prod', release: 'published' }, dir, head);

      expect(result.exitCode).not.toBe(0);
      const error = result.stdout.split('\n').find((line) => line.startsWith('::error::create')) ?? '';
      expect(error).toMatch(/^::error::create the GitHub release 5\.0\.0: .*Validation Failed at https:\/\/\*\*\*@github\.example.*\(the promotion itself succeeded; re-run to retry the release\)/);
      expect((await client.resolveDigest({ ...repo('acme/releasefails'), tag: 'prod' })).digest).toBe(build.digest);
      expect(result.summary).toContain('## Failed part way');
      const report = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(result.summary)![1]!) as {
        promoted: { digest: string; targets: Array<{ tag: string; status: string; after: string }> };
        release: { tag: string; created: boolean };
      };
      expect(report.promoted.digest).toBe(build.digest);
      expect(report.promoted.targets).toEqual([{ tag: 'prod', before: null, after: build.digest, status: 'written' }]);
      expect(report.release).toEqual({ tag: '5.0.0', created: false });
      expect(result.stdout + result.stderr + result.summary).not.toContain(secret);
      expect(api.state.releases).toEqual([]);
    });
  });

  describe('when the changelog has no section for the version', () => {
    it('fails before any tag moves and creates no release', async () => {
      const { dir, git, commit } = createRepo();
      dirs.push(dir);
      const head = commit('docs: changelog', 'CHANGELOG.md', '# Changelog\n\n## [1.3.0] - 2026-10-01\n\n- older\n');
      git('tag', '1.4.0');
      await mirror(dir, git);
      const build = await pushIndex(client, repo('acme/nochangelog'), { tag: '1.4.0', seed: 'nochangelog-1.4.0' });
      const old = await pushIndex(client, repo('acme/nochangelog'), { tag: 'prod', seed: 'nochangelog-old' });
      const putsBefore = (await readAccessLog(registry)).filter((e) => e.method === 'PUT').length;

      const result = await run(
        {
          image: `${registry.host}/acme/nochangelog`,
          source: '1.4.0',
          targets: 'prod',
          release: 'published',
          'release-notes': 'changelog-file:CHANGELOG.md',
        },
        dir,
        head,
      );

      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toContain('::error::Configuration error: read release notes of 1.4.0 from the changelog: no "## [1.4.0]" or "## 1.4.0" section');
      expect((await client.resolveDigest({ ...repo('acme/nochangelog'), tag: 'prod' })).digest).toBe(old.digest);
      expect(old.digest).not.toBe(build.digest);
      expect((await readAccessLog(registry)).filter((e) => e.method === 'PUT').length).toBe(putsBefore);
      expect(api.state.releases).toEqual([]);
      expect(createRequests()).toEqual([]);
      api.assertNoViolations();
    });
  });

  describe('when the promotion is a dry run', () => {
    it('prepares the release (notes checked) and writes neither tags nor release', async () => {
      const { dir, git, commit } = createRepo();
      dirs.push(dir);
      commit('feat: one');
      git('tag', '1.0.0');
      const head = commit('fix: two');
      git('tag', '1.0.1');
      await mirror(dir, git);
      addRelease('1.0.0', { latest: true });
      await pushIndex(client, repo('acme/dry'), { tag: '1.0.1', seed: 'dry-1.0.1' });

      const result = await run(
        { image: `${registry.host}/acme/dry`, source: '1.0.1', targets: 'prod', release: 'published', 'dry-run': 'true' },
        dir,
        head,
      );

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs['release-url']).toBe('');
      expect(result.summary).toContain('**Release (dry run):** 1.0.1 would be created or updated (make_latest true); notes from commits 1.0.0..1.0.1 (local clone)');
      expect(api.state.releases).toHaveLength(1);
      expect(api.requests.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(await client.listTags(repo('acme/dry'))).toEqual(['1.0.1']);
      api.assertNoViolations();
    });
  });

  describe('when a draft is created, then published after promotion with publish-draft', () => {
    it('keeps the draft out of latest, then publishes it as written and makes it latest', async () => {
      const { dir, git, commit } = createRepo();
      dirs.push(dir);
      commit('feat: one');
      git('tag', '1.0.0');
      const head = commit('docs: notes for 1.1.0', 'CHANGELOGS/1.1.0.md', '### Highlights\n\n- faster startup\n');
      git('tag', 'v1.1.0');
      await mirror(dir, git);
      addRelease('1.0.0', { latest: true });
      const latestBefore = api.state.latestReleaseId;
      await pushIndex(client, repo('acme/draft'), { tag: 'v1.1.0', seed: 'draft-1.1.0' });
      const image = `${registry.host}/acme/draft`;

      const drafted = await run(
        { image, source: 'v1.1.0', targets: 'staging', release: 'draft', 'release-notes': 'changelog-file:CHANGELOGS/{version}.md' },
        dir,
        head,
      );
      expect(drafted.exitCode, drafted.stdout + drafted.stderr).toBe(0);
      const draft = api.state.releaseByTag('v1.1.0');
      expect(draft).toMatchObject({ draft: true, publishedAt: null });
      expect(draft!.body).toContain('### Highlights\n\n- faster startup');
      expect(drafted.outputs['release-url']).toBe(`https://github.com/acme/app/releases/untagged-${draft!.id}`);
      expect(api.state.latestReleaseId).toBe(latestBefore);
      const body = draft!.body;

      const published = await run({ image, source: 'v1.1.0', targets: 'prod', 'publish-draft': 'true' }, dir, head);
      expect(published.exitCode, published.stdout + published.stderr).toBe(0);
      const release = api.state.releaseByTag('v1.1.0');
      expect(release).toMatchObject({ id: draft!.id, draft: false, body });
      expect(release!.publishedAt).not.toBeNull();
      expect(api.state.latestReleaseId).toBe(draft!.id);
      expect(published.outputs['release-url']).toBe('https://github.com/acme/app/releases/tag/v1.1.0');
      expect(published.summary).toContain('published (published, make_latest true)');

      // A re-run finds it published and leaves it alone.
      const again = await run({ image, source: 'v1.1.0', targets: 'prod', 'publish-draft': 'true' }, dir, head);
      expect(again.exitCode, again.stdout + again.stderr).toBe(0);
      expect(again.summary).toContain('unchanged (published');
      expect(api.state.releases).toHaveLength(2);
      api.assertNoViolations();
    });

    it('refuses publish-draft when there is no draft, before any tag moves', async () => {
      const { dir, git, commit } = createRepo();
      dirs.push(dir);
      const head = commit('feat: one');
      git('tag', '3.0.0');
      await mirror(dir, git);
      await pushIndex(client, repo('acme/nodraft'), { tag: '3.0.0', seed: 'nodraft' });

      const result = await run({ image: `${registry.host}/acme/nodraft`, source: '3.0.0', targets: 'prod', 'publish-draft': 'true' }, dir, head);

      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toContain('has no release of tag 3.0.0');
      expect(await client.listTags(repo('acme/nodraft'))).toEqual(['3.0.0']);
      api.assertNoViolations();
    });
  });

  describe('when release inputs are wrong', () => {
    it.each([
      [{ release: 'published', source: 'build' }, 'read input version: required when a release is requested'],
      [{ release: 'published', version: '1.2' }, 'read input version: "1.2" is not a SemVer 2.0 version'],
      [{ release: 'draft', 'publish-draft': 'true', version: '1.0.0' }, 'read input publish-draft'],
      [{ release: 'published', version: '1.0.0', 'release-notes': 'changelog-file:../x/{version}.md' }, 'read input release-notes'],
      [{ release: 'published', version: '1.0.0', 'github-token': '' }, 'read input github-token'],
    ])('%j fails before any request: %s', async (inputs, message) => {
      const result = await run({ image: `${registry.host}/acme/bad`, source: 'build', targets: 'prod', ...inputs }, tmpdir());
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toContain(message);
      expect(api.requests).toEqual([]);
      api.assertNoViolations();
    });
  });
});

describe('promote action, GitHub release of a signed image', () => {
  const IDENTITY = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
  const ISSUER = 'https://token.actions.githubusercontent.com';
  let registry: RunningRegistry;
  let sigstore: SigstoreMock;
  let api: GitHubApi;
  let dir: string;

  beforeAll(async () => {
    [registry, sigstore, api] = await Promise.all([
      startRegistry({ auth: 'htpasswd' }),
      createSigstoreMock(),
      startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_signed_test' }),
    ]);
    dir = mkdtempSync(path.join(tmpdir(), 'tw-release-signed-'));
    writeFileSync(path.join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRootJson));
  });

  afterAll(async () => {
    await Promise.all([registry?.stop(), api?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('when the promotion verified a keyless signature', () => {
    it('ends the notes with the digest and the cosign verify command for the identity and issuer it checked', async () => {
      const client = clientFor(registry);
      const repo = { registry: registry.host, repository: 'acme/signed' };
      const image = await pushImage(client, repo, { tag: 'build' });
      await pushLegacySignatures(client, repo, image.digest, [await sigstore.signLegacy(image.digest)]);

      const result = await runActionYml(action, {
        inputs: {
          image: `${registry.host}/acme/signed`,
          source: 'build',
          targets: 'prod',
          username: registry.credentials!.username,
          password: registry.credentials!.password,
          'certificate-identity': IDENTITY,
          'certificate-oidc-issuer': ISSUER,
          'trusted-root': 'trusted_root.json',
          release: 'published',
          'release-notes': 'none',
          version: '1.2.3',
          'github-token': api.token,
        },
        github: { ref: 'refs/tags/v1.2.3', sha: 'a'.repeat(40), repository: 'acme/app', api_url: api.url, workspace: dir },
      });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const body = api.state.releaseByTag('1.2.3')!.body!;
      expect(body).toContain(
        [
          'cosign verify \\',
          `  --certificate-identity ${IDENTITY} \\`,
          `  --certificate-oidc-issuer ${ISSUER} \\`,
          `  ${registry.host}/acme/signed@${image.digest}`,
        ].join('\n'),
      );
      expect(body).toContain(`| \`${registry.host}/acme/signed\` | \`${image.digest}\` |`);
      // The tag did not exist: publishing the release created it at the build's commit.
      expect(api.state.peel('refs/tags/1.2.3')).toBe('a'.repeat(40));
      api.assertNoViolations();
    });
  });

  describe('when a release set verified a key signature without a log entry', () => {
    it('lists every image with its digest and the cosign verify --key command naming key-location', async () => {
      const client = clientFor(registry);
      const key = sigstore.generateKey();
      const names = ['acme/key-api', 'acme/key-web'];
      const digests: string[] = [];
      for (const name of names) {
        const repo = { registry: registry.host, repository: name };
        const image = await pushImage(client, repo, { tag: 'build', seed: name });
        await pushLegacySignatures(client, repo, image.digest, [await sigstore.signLegacy(image.digest, { key, tlog: false, tsa: false })]);
        digests.push(image.digest);
      }
      const keyUrl = 'https://acme.example/keys/cosign.pub';

      const result = await runActionYml(action, {
        inputs: {
          images: names.map((name) => `${registry.host}/${name}`).join('\n'),
          source: 'build',
          targets: 'prod',
          username: registry.credentials!.username,
          password: registry.credentials!.password,
          key: key.publicKeyPem,
          'key-location': keyUrl,
          'insecure-ignore-tlog': 'true',
          release: 'published',
          'release-notes': 'none',
          version: '1.3.0',
          'github-token': api.token,
        },
        github: { ref: 'refs/tags/v1.3.0', sha: 'b'.repeat(40), repository: 'acme/app', api_url: api.url, workspace: dir },
      });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const body = api.state.releaseByTag('1.3.0')!.body!;
      for (const [index, name] of names.entries()) {
        expect(body).toContain(
          ['cosign verify \\', `  --key ${keyUrl} \\`, '  --insecure-ignore-tlog=true \\', `  ${registry.host}/${name}@${digests[index]}`].join('\n'),
        );
        expect(body).toContain(`| \`${registry.host}/${name}\` | \`${digests[index]}\` |`);
      }
      expect(body).not.toContain('BEGIN PUBLIC KEY');
      expect(body).not.toContain('verify-attestation');
      api.assertNoViolations();
    });
  });
});
