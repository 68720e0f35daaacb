import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientFor, gitTestEnv, pushIndex, runActionYml, startGitHubApi, startRegistry } from '@tagwright/testkit';
import type { GitHubApi, RunningRegistry } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'compute-tags');
const gitEnv = gitTestEnv();

describe('compute-tags action, staging counter', () => {
  let registry: RunningRegistry;
  let api: GitHubApi;
  let dir: string;
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8' }).trim();
  /** Commits to the clone and tells the double about it; returns the sha. */
  const commit = (message: string): string => {
    writeFileSync(path.join(dir, 'notes.txt'), `${message}\n`);
    git('add', '-A');
    git('commit', '-q', '-m', message);
    const sha = git('rev-parse', 'HEAD');
    api.state.addCommits([{ sha, subject: message, author: { name: 'Ada Lovelace', email: 'ada@example.com' } }]);
    return sha;
  };

  beforeAll(async () => {
    registry = await startRegistry();
  });

  afterAll(async () => {
    await registry?.stop();
  });

  beforeEach(async () => {
    api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_staging_test' });
    dir = mkdtempSync(path.join(tmpdir(), 'tw-staging-clone-'));
    git('init', '-q', '-b', 'main');
    git('config', 'commit.gpgsign', 'false');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.5.0' }));
  });

  afterEach(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (sha: string, inputs: Record<string, string> = {}, ref = 'refs/heads/main') =>
    runActionYml(action, {
      inputs: {
        images: `${registry.host}/acme/staging-${path.basename(dir)}`.toLowerCase(),
        'sha-tag': 'false',
        'staging-counter': 'true',
        'github-token': api.token,
        ...inputs,
      },
      github: { ref, sha, repository: 'acme/app', api_url: api.url, workspace: dir },
    });

  describe('when a branch is built', () => {
    it('reserves <package.json version>-staging.0 as a git tag at the commit and adds it and staging', async () => {
      const sha = commit('feat: first');

      const result = await run(sha);

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs['reserved-tag']).toBe('1.5.0-staging.0');
      expect(result.outputs['tag-names']!.split('\n').slice(0, 3)).toEqual(['1.5.0-staging.0', 'staging', 'main']);
      expect(api.state.peel('refs/tags/1.5.0-staging.0')).toBe(sha);
      expect(api.requests.filter((r) => r.operationId === 'git/create-ref')).toHaveLength(1);
      expect(result.summary).toContain('Staging counter: `1.5.0-staging.0` reserved (attempt 1), base 1.5.0 from package.json');
      expect(JSON.parse(result.outputs.json!)).toMatchObject({ reservedTag: '1.5.0-staging.0' });
      api.assertNoViolations();
    });

    it('gives staging once when branch-tags already maps the branch to staging', async () => {
      const sha = commit('feat: mapped');

      const result = await run(sha, { 'branch-tags': 'main=staging', 'sha-tag': 'true' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs['tag-names']).toBe(`1.5.0-staging.0\nstaging\nsha-${sha.slice(0, 7)}`);
      api.assertNoViolations();
    });

    it('gives a re-run for the same commit the same N without creating another tag', async () => {
      const first = commit('feat: first');
      expect((await run(first)).outputs['reserved-tag']).toBe('1.5.0-staging.0');
      const second = commit('feat: second');
      expect((await run(second)).outputs['reserved-tag']).toBe('1.5.0-staging.1');

      const again = await run(first);

      expect(again.exitCode, again.stdout + again.stderr).toBe(0);
      expect(again.outputs['reserved-tag']).toBe('1.5.0-staging.0');
      expect(again.summary).toContain('already reserved for this commit (re-run)');
      expect([...api.state.refs.keys()].filter((r) => r.startsWith('refs/tags/')).sort()).toEqual([
        'refs/tags/1.5.0-staging.0',
        'refs/tags/1.5.0-staging.1',
      ]);
      expect(api.requests.filter((r) => r.operationId === 'git/create-ref')).toHaveLength(2);
      api.assertNoViolations();
    });

    it('gives two concurrent runs for different commits different N', async () => {
      const a = commit('feat: a');
      const b = commit('feat: b');

      const [ra, rb] = await Promise.all([run(a), run(b)]);

      expect(ra.exitCode, ra.stdout + ra.stderr).toBe(0);
      expect(rb.exitCode, rb.stdout + rb.stderr).toBe(0);
      expect([ra.outputs['reserved-tag'], rb.outputs['reserved-tag']].sort()).toEqual(['1.5.0-staging.0', '1.5.0-staging.1']);
      expect(api.state.peel(`refs/tags/${ra.outputs['reserved-tag']}`)).toBe(a);
      expect(api.state.peel(`refs/tags/${rb.outputs['reserved-tag']}`)).toBe(b);
      api.assertNoViolations();
    });

    it('starts above the highest staging N the registry already holds, spelled with the tag prefix', async () => {
      const repository = `acme/staging-${path.basename(dir)}`.toLowerCase();
      await pushIndex(clientFor(registry), { registry: registry.host, repository }, { tag: 'v2.0.0-staging.6', seed: `${repository}-6` });
      const sha = commit('feat: after a registry-only staging build');

      const result = await run(sha, { 'staging-base': '2.0.0', 'tag-prefix': 'v' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs['reserved-tag']).toBe('2.0.0-staging.7');
      expect(result.outputs['tag-names']!.split('\n').slice(0, 2)).toEqual(['v2.0.0-staging.7', 'staging']);
      expect(result.summary).toContain('base 2.0.0 from staging-base');
      api.assertNoViolations();
    });
  });

  describe('when staging-version names the exact staging build', () => {
    it('reserves exactly that tag when it is free, without staging-counter', async () => {
      const sha = commit('feat: exact');

      const result = await run(sha, { 'staging-counter': 'false', 'staging-version': '1.5.0-staging.4' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs['reserved-tag']).toBe('1.5.0-staging.4');
      expect(result.outputs['tag-names']!.split('\n').slice(0, 2)).toEqual(['1.5.0-staging.4', 'staging']);
      expect(api.state.peel('refs/tags/1.5.0-staging.4')).toBe(sha);
      expect(api.state.peel('refs/tags/1.5.0-staging.0')).toBeUndefined();
      expect(result.summary).toContain('base 1.5.0 from staging-version');
      api.assertNoViolations();
    });

    it('accepts it when the git tag already points at the same commit (a re-run)', async () => {
      const sha = commit('feat: exact again');
      api.state.setRef('refs/tags/1.5.0-staging.4', sha);

      const result = await run(sha, { 'staging-version': '1.5.0-staging.4' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs['reserved-tag']).toBe('1.5.0-staging.4');
      expect(api.state.peel('refs/tags/1.5.0-staging.4')).toBe(sha);
      api.assertNoViolations();
    });

    it('refuses it when the git tag points at another commit, leaving the tag as it was', async () => {
      const other = commit('feat: the build that owns staging.4');
      const sha = commit('feat: a later build');
      api.state.setRef('refs/tags/1.5.0-staging.4', other);

      const result = await run(sha, { 'staging-version': '1.5.0-staging.4' });

      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toContain(`reserve the staging tag 1.5.0-staging.4: it already exists at ${other}, not at ${sha}`);
      expect(api.state.peel('refs/tags/1.5.0-staging.4')).toBe(other);
      expect(api.requests.filter((r) => r.operationId === 'git/create-ref' && r.status < 300)).toEqual([]);
      api.assertNoViolations();
    });

    it.each([
      [{ 'staging-version': '1.5.0' }, 'read input staging-version: "1.5.0" is not a SemVer pre-release'],
      [{ 'staging-version': '1.5.0-staging.4', 'staging-base': '1.6.0' }, 'read input staging-version: "1.5.0-staging.4" is not a pre-release of staging-base 1.6.0, e.g. 1.6.0-staging.0'],
    ])('%j fails before any request: %s', async (inputs, message) => {
      const result = await run('c'.repeat(40), inputs);
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toContain(message);
      expect(api.requests).toEqual([]);
    });
  });

  describe('when the build is not a branch build', () => {
    it('reserves nothing for a release tag and says so', async () => {
      const sha = commit('feat: release');

      const result = await run(sha, {}, 'refs/tags/1.5.0');

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs['reserved-tag']).toBe('');
      expect(result.outputs['tag-names']).not.toContain('staging');
      expect(result.summary).toContain('no staging tag reserved for a release build');
      expect(api.requests).toEqual([]);
    });

    // Issue 12, defect 2: with pull_request_target the ref is the base branch.
    it('reserves nothing for a pull_request_target build whose ref is the base branch', async () => {
      const sha = commit('feat: from a fork');
      const event = path.join(dir, '..', `${path.basename(dir)}-event.json`);
      writeFileSync(event, JSON.stringify({ number: 9, pull_request: { number: 9 } }));
      try {
        const result = await runActionYml(action, {
          inputs: {
            images: `${registry.host}/acme/staging-${path.basename(dir)}`.toLowerCase(),
            'sha-tag': 'false',
            'staging-counter': 'true',
            'github-token': api.token,
            'branch-tags': 'main=staging',
          },
          github: { ref: 'refs/heads/main', sha, repository: 'acme/app', api_url: api.url, workspace: dir, event_name: 'pull_request_target' },
          env: { GITHUB_EVENT_PATH: event },
        });

        expect(result.exitCode, result.stdout + result.stderr).toBe(0);
        expect(result.outputs['reserved-tag']).toBe('');
        expect(result.outputs['tag-names']).toBe('pr-9');
        expect(result.summary).toContain('no staging tag reserved for a pull-request build');
        expect(api.requests).toEqual([]);
      } finally {
        rmSync(event, { force: true });
      }
    });
  });

  describe('when the staging inputs are wrong', () => {
    it.each([
      [{ 'github-token': '' }, 'read input github-token: required when staging-counter is true'],
      [{ 'staging-base': '1.5' }, 'read input staging-base: "1.5" is not X.Y.Z'],
      [{ 'staging-base': '1.5.0-rc.1' }, 'read input staging-base: "1.5.0-rc.1" is not X.Y.Z'],
      [{ path: '../elsewhere' }, 'read input path: "../elsewhere" must be a directory inside the workspace'],
    ])('%j fails before any request: %s', async (inputs, message) => {
      const result = await run('c'.repeat(40), inputs);
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toContain(message);
      expect(api.requests).toEqual([]);
    });

    it('fails on a package.json without a version, before creating any ref', async () => {
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app' }));
      const result = await run(commit('feat: x'));
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toContain('has no "version"');
      expect(api.requests).toEqual([]);
    });
  });
});
