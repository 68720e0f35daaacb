import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { startFaultProxy, startGitHubApi, type GitHubApi } from '@tagwright/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeLatestFor, previousRelease } from '../changelog/versions.js';
import { notesFromCommits } from '../changelog/notes.js';
import { ConfigurationError } from '../errors.js';
import { createGitRunner } from '../git/exec.js';
import { commitRange } from '../git/log.js';
import { createGitHubClient, GitHubError, type GitHubClient } from './client.js';

const sha = (n: number): string => n.toString(16).padStart(40, '0');
const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

let api: GitHubApi;
let github: GitHubClient;

beforeEach(async () => {
  api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_secret_token_value' });
  github = createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: api.url, userAgent: 'tagwright-test', throttling: false });
});

afterEach(async () => {
  await api.stop();
  api.assertNoViolations();
});

describe('createGitHubClient', () => {
  describe('when creating and re-running a release', () => {
    it('creates it once, then updates the same release', async () => {
      const input = { tag: 'v1.0.0', name: 'v1.0.0', body: 'first', draft: false, prerelease: false, makeLatest: 'true' as const, targetCommitish: sha(1) };
      const first = await github.createOrUpdateRelease(input);
      const second = await github.createOrUpdateRelease({ ...input, body: 'first, edited' });
      expect(first.created).toBe(true);
      expect(second).toMatchObject({ created: false, release: { id: first.release.id, body: 'first, edited', draft: false } });
      expect(api.state.releases).toHaveLength(1);
      // Publishing created the tag at the target commit, as GitHub does.
      expect(await github.getRef('refs/tags/v1.0.0')).toMatchObject({ ref: 'refs/tags/v1.0.0', commitSha: sha(1) });
    });
  });

  describe('when releasing a backport', () => {
    it('leaves the highest release marked latest', async () => {
      const release = async (version: string, n: number): Promise<void> => {
        const existing = (await github.listReleases()).map((r) => r.tagName);
        await github.createOrUpdateRelease({
          tag: `v${version}`, name: `v${version}`, body: version, draft: false, prerelease: false,
          makeLatest: makeLatestFor(version, existing), targetCommitish: sha(n),
        });
      };
      await release('1.2.0', 1);
      await release('1.3.0', 2);
      await release('1.2.1', 3);
      const octokit = new Octokit({ baseUrl: api.url, auth: api.token });
      const latest = await octokit.rest.repos.getLatestRelease({ owner: 'acme', repo: 'app' });
      expect(latest.data.tag_name).toBe('v1.3.0');
      const makeLatest = api.requests.filter((r) => r.operationId === 'repos/create-release').map((r) => (r.body as { make_latest: string }).make_latest);
      expect(makeLatest).toEqual(['true', 'true', 'false']);
    });
  });

  describe('when a draft is published', () => {
    it('finds the draft by tag, keeps it a draft on re-run, and publishes it as latest', async () => {
      const input = { tag: 'v2.0.0', name: 'v2.0.0', body: 'notes', draft: true, prerelease: false, makeLatest: 'true' as const, targetCommitish: sha(7) };
      const { release } = await github.createOrUpdateRelease(input);
      expect(release).toMatchObject({ draft: true, publishedAt: null });
      expect(await github.getRef('tags/v2.0.0')).toBeUndefined();
      expect(await github.findReleaseByTag('v2.0.0')).toMatchObject({ id: release.id, draft: true });
      expect((await github.createOrUpdateRelease(input)).created).toBe(false);

      const published = await github.publishDraft(release.id, { makeLatest: 'true' });
      expect(published).toMatchObject({ id: release.id, draft: false, tagName: 'v2.0.0' });
      expect(published.publishedAt).not.toBeNull();
      expect(api.state.latestReleaseId).toBe(release.id);
      expect((await github.getRef('tags/v2.0.0'))?.commitSha).toBe(sha(7));

      // A re-run that still asks for a draft does not unpublish it.
      const rerun = await github.createOrUpdateRelease(input);
      expect(rerun.release.draft).toBe(false);
    });

    it('never makes a prerelease latest', async () => {
      await github.createOrUpdateRelease({ tag: 'v1.0.0', name: 'v1.0.0', body: 'x', draft: false, prerelease: false, makeLatest: 'true', targetCommitish: sha(1) });
      await github.createOrUpdateRelease({
        tag: 'v2.0.0-rc.1', name: 'v2.0.0-rc.1', body: 'x', draft: false, prerelease: true,
        makeLatest: makeLatestFor('2.0.0-rc.1', ['v1.0.0']), targetCommitish: sha(2),
      });
      expect(api.state.releases.find((r) => r.id === api.state.latestReleaseId)?.tagName).toBe('v1.0.0');
    });
  });

  describe('when reading refs', () => {
    it('peels an annotated tag to its commit', async () => {
      const tagObject = api.state.addAnnotatedTag('v3.0.0', sha(9));
      expect(await github.getRef('tags/v3.0.0')).toEqual({ ref: 'refs/tags/v3.0.0', sha: tagObject.sha, type: 'tag', commitSha: sha(9) });
    });

    it('lists matching refs', async () => {
      await github.createTagRef('1.0.0-staging.0', sha(1));
      await github.createTagRef('1.0.0-staging.1', sha(2));
      await github.createTagRef('1.0.1-staging.0', sha(3));
      expect((await github.listMatchingRefs('tags/1.0.0-staging.')).map((r) => r.ref)).toEqual([
        'refs/tags/1.0.0-staging.0',
        'refs/tags/1.0.0-staging.1',
      ]);
    });

    it('reports an existing tag as REF_EXISTS', async () => {
      await github.createTagRef('v1.0.0', sha(1));
      const error = await github.createTagRef('v1.0.0', sha(2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitHubError);
      expect(error).toMatchObject({ code: 'REF_EXISTS', status: 422, githubMessage: 'Reference already exists' });
    });
  });

  describe('when GitHub fails for a moment', () => {
    it('retries a 502 and succeeds', async () => {
      api.injectFailure({ operationId: 'git/get-ref', status: 502, times: 1 });
      await github.createTagRef('v1.0.0', sha(1));
      expect((await github.getRef('tags/v1.0.0'))?.commitSha).toBe(sha(1));
      expect(api.requests.filter((r) => r.operationId === 'git/get-ref').map((r) => r.status)).toEqual([502, 200]);
    });

    it('gives up after the retries with the status kept', async () => {
      const impatient = createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: api.url, throttling: false, retries: 0 });
      api.injectFailure({ operationId: 'repos/list-releases', status: 503, times: 1, message: 'Service Unavailable' });
      await expect(impatient.listReleases()).rejects.toMatchObject({ code: 'GITHUB_ERROR', status: 503, githubMessage: 'Service Unavailable' });
    });
  });

  describe('when a fetch is injected', () => {
    it('sends every request through it, with the user agent', async () => {
      const seen: string[] = [];
      const fetchSpy: typeof fetch = async (input, init) => {
        seen.push(`${init?.method} ${String(input).replace(api.url, '')} ${new Headers(init?.headers).get('user-agent')?.split(' ')[0]}`);
        return fetch(input, init);
      };
      const viaFetch = createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: api.url, userAgent: 'tagwright/1.0', fetch: fetchSpy, throttling: false });
      await viaFetch.createTagRef('v1.0.0', sha(1));
      expect(seen).toEqual(['POST /repos/acme/app/git/refs tagwright/1.0']);
    });
  });

  describe('when the token is wrong', () => {
    it('fails with UNAUTHORIZED and never shows the token', async () => {
      const wrong = createGitHubClient({ token: 'ghp_wrong_token_12345', repository: 'acme/app', baseUrl: api.url, throttling: false });
      const error = await wrong.findReleaseByTag('v1.0.0').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
      expect(String((error as Error).message)).not.toContain('ghp_wrong_token_12345');
    });
  });

  describe('when the input is bad', () => {
    it.each([
      ['a tag with a space', () => github.createTagRef('v1 .0', sha(1))],
      ['a short sha', () => github.createTagRef('v1.0.0', 'abc123')],
      ['a ref with ..', () => github.getRef('tags/../heads/main')],
      ['an uppercase package', () => github.listPackageVersions({ org: 'acme' }, 'App')],
    ])('rejects %s before sending anything', async (_what, run) => {
      await expect(run()).rejects.toThrow(ConfigurationError);
      expect(api.requests).toHaveLength(0);
    });

    it('rejects a repository that is not owner/repo', () => {
      expect(() => createGitHubClient({ token: 't', repository: 'acme' })).toThrow(ConfigurationError);
      expect(() => createGitHubClient({ token: 't', repository: 'a/b/c' })).toThrow(ConfigurationError);
    });
  });

  describe('when listing GHCR package versions', () => {
    it('follows the Link pagination and reads the tags', async () => {
      for (let i = 0; i < 250; i++) {
        api.state.addPackageVersion({ org: 'acme' }, 'app/worker', { digest: digest(i), tags: i === 249 ? ['1.0.0', 'latest'] : [] });
      }
      const versions = await github.listPackageVersions({ org: 'acme' }, 'app/worker');
      expect(versions).toHaveLength(250);
      expect(new Set(versions.map((v) => v.id)).size).toBe(250);
      expect(versions.find((v) => v.digest === digest(249))?.tags).toEqual(['1.0.0', 'latest']);
      expect(api.requests.filter((r) => r.operationId?.startsWith('packages/'))).toHaveLength(3);
    });

    type Spoil = (version: Record<string, unknown>) => Record<string, unknown>;
    it.each<[string, Spoil]>([
      ['a name that is not a digest', (version: Record<string, unknown>) => ({ ...version, name: 'latest' })],
      ['tags that are not a list', (version: Record<string, unknown>) => ({ ...version, metadata: { package_type: 'container', container: { tags: '1.0.0' } } })],
      ['no id', (version: Record<string, unknown>) => ({ ...version, id: undefined })],
    ])('refuses an answer with %s: INVALID_RESPONSE, never a guess cleanup would act on', async (_, spoil) => {
      api.state.addPackageVersion({ org: 'acme' }, 'app', { digest: digest(1), tags: ['1.0.0'] });
      // A proxy changes GitHub's answer (the double itself only answers what its description allows).
      const proxy = await startFaultProxy({
        upstream: api.url,
        rules: [{ path: /\/packages\/container\/app\/versions/, fault: { kind: 'rewrite', body: (upstream) => JSON.stringify((JSON.parse(upstream.toString()) as Array<Record<string, unknown>>).map(spoil)) } }],
      });
      try {
        const spoiled = createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: proxy.url, throttling: false });
        const error = await spoiled.listPackageVersions({ org: 'acme' }, 'app').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GitHubError);
        expect(error).toMatchObject({ code: 'INVALID_RESPONSE' });
        expect((error as Error).message).toMatch(/^list the versions of organization acme's container package app: the answer is not a valid package version \(/);
      } finally {
        await proxy.close();
      }
    });

    it('deletes a version by id, for an organization and for the token owner', async () => {
      const org = api.state.addPackageVersion({ org: 'acme' }, 'app', { digest: digest(1) });
      api.state.addPackageVersion({ org: 'acme' }, 'app', { digest: digest(2), tags: ['1.0.0'] });
      const mine = api.state.addPackageVersion({ user: api.state.login }, 'tool', { digest: digest(3) });
      await github.deletePackageVersion({ org: 'acme' }, 'app', org.id);
      await github.deletePackageVersion({ authenticatedUser: true }, 'tool', mine.id);
      expect((await github.listPackageVersions({ org: 'acme' }, 'app')).map((v) => v.digest)).toEqual([digest(2)]);
      expect(await github.listPackageVersions({ authenticatedUser: true }, 'tool')).toEqual([]);
      const missing = await github.deletePackageVersion({ org: 'acme' }, 'app', 999).catch((e: unknown) => e);
      expect(missing).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    });

    it("lists a package owned by another user through the user endpoint, as GitHub's description allows", async () => {
      api.state.addPackageVersion({ user: 'octo-dev' }, 'cli', { digest: digest(7), tags: ['2.0.0'] });
      const versions = await github.listPackageVersions({ user: 'octo-dev' }, 'cli');
      expect(versions.map((v) => [v.digest, v.tags])).toEqual([[digest(7), ['2.0.0']]]);
      api.assertNoViolations();
    });
  });
});

describe('compareCommits', () => {
  const git = createGitRunner();
  let dir: string;
  const run = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir() },
    }).trim();
  const commit = (message: string): void => {
    writeFileSync(join(dir, 'f.txt'), `${message}${Math.random()}`);
    run('add', '-A');
    run('commit', '-q', '-m', message);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tagwright-compare-'));
    run('init', '-q', '-b', 'main');
    commit('feat: one');
    run('tag', '-a', 'v1.0.0', '-m', 'v1.0.0');
    commit('fix: two (#4)');
    commit('feat(cli)!: three\n\nwrapped first paragraph\n\nBREAKING CHANGE: flags renamed');
    run('tag', '-a', 'v1.1.0', '-m', 'v1.1.0');
    for (let i = 0; i < 120; i++) commit(`chore: bump ${i}`);
    run('tag', 'v1.2.0');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('when GitHub knows the same commits as the local clone', () => {
    it('returns the commits commitRange returns, in the same order and shape', async () => {
      const all = await commitRange(git, dir, undefined, 'v1.2.0');
      api.state.addCommits(all.map(({ sha: s, parents, subject, body, author, authoredAt }) => ({ sha: s, parents: parents ?? [], subject, body, author, authoredAt: authoredAt! })));
      for (const tag of ['v1.0.0', 'v1.1.0', 'v1.2.0']) api.state.setRef(`refs/tags/${tag}`, run('rev-parse', `${tag}^{commit}`));

      const shape = (c: { sha: string; subject: string; body: string; author: { name: string; email: string }; parents?: string[]; prNumber?: number }): unknown => ({
        sha: c.sha, subject: c.subject, body: c.body, name: c.author.name, email: c.author.email, parents: c.parents, prNumber: c.prNumber,
      });
      const local = await commitRange(git, dir, 'v1.0.0', 'v1.1.0');
      const remote = await github.compareCommits('v1.0.0', 'v1.1.0');
      expect(remote.map(shape)).toEqual(local.map(shape));
      expect(notesFromCommits(remote, { repoUrl: 'https://github.com/acme/app' })).toBe(notesFromCommits(local, { repoUrl: 'https://github.com/acme/app' }));

      // 120 commits: more than one page of 100.
      const from = previousRelease('1.2.0', ['v1.0.0', 'v1.1.0']);
      expect(from).toBe('v1.1.0');
      const long = await github.compareCommits(from!, 'v1.2.0');
      expect(long.map((c) => c.sha)).toEqual((await commitRange(git, dir, from, 'v1.2.0')).map((c) => c.sha));
      expect(long).toHaveLength(120);
    });
  });
});
