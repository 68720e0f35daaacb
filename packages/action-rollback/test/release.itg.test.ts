import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, pushImage, readAccessLog, runActionYml, startGitHubApi, startRegistry } from '@tagwright/testkit';
import type { GitHubApi, RunningRegistry, SeededImage } from '@tagwright/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootActionDir = path.resolve(packageDir, '../../rollback');

/** An audit tag without a time, so that a re-run of the same rollback names the same audit tag. */
const AUDIT = 'prod-rollback-from-{sha}';
const AUDIT_TAG = 'prod-rollback-from-ccccccc';
const MARKER = `<!-- tagwright:rollback ${AUDIT_TAG} -->`;

let registry: RunningRegistry;
let client: RegistryClient;
let api: GitHubApi;

beforeAll(async () => {
  registry = await startRegistry();
  client = clientFor(registry);
});

afterAll(async () => {
  await registry?.stop();
});

beforeEach(async () => {
  api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_rollback_release' });
});

afterEach(async () => {
  await api.stop();
});

let repoCounter = 0;
function newRepo(name: string): RepositoryReference {
  repoCounter++;
  return { registry: registry.host, repository: `rollback-release/${name}-${repoCounter}` };
}

async function tag(repo: RepositoryReference, image: SeededImage, tags: string[]): Promise<void> {
  const manifest = await client.getManifest({ ...repo, digest: image.digest });
  for (const t of tags) await client.putManifest(repo, t, manifest);
}

async function digestOf(repo: RepositoryReference, tagName: string): Promise<string> {
  return (await client.resolveDigest({ ...repo, tag: tagName })).digest;
}

/** 1.3.0 promoted on Nov 10 (b), 1.4.0 on Nov 20 (c, on prod now); a third build with no version tag. */
async function seed(repo: RepositoryReference, options: { versionTags?: boolean } = {}): Promise<{ b: SeededImage; c: SeededImage }> {
  const b = await pushImage(client, repo, { tag: 'prod-20261110-bbbbbbb', seed: `${repo.repository}-b` });
  const c = await pushImage(client, repo, { tag: 'prod-20261120-ccccccc', seed: `${repo.repository}-c` });
  await tag(repo, c, ['prod']);
  if (options.versionTags !== false) {
    await tag(repo, b, ['1.3.0']);
    await tag(repo, c, ['1.4.0']);
  }
  return { b, c };
}

/** The git tags v1.3.0 and v1.4.0 on GitHub, on two commits. */
function seedTags(): void {
  const author = { name: 'Ada Lovelace', email: 'ada@example.com' };
  const first = 'a'.repeat(40);
  const second = 'b'.repeat(40);
  api.state.addCommits([
    { sha: first, subject: 'feat: first', author },
    { sha: second, parents: [first], subject: 'feat: second', author },
  ]);
  api.state.setRef('refs/heads/main', second);
  api.state.setRef('refs/tags/v1.3.0', first);
  api.state.setRef('refs/tags/v1.4.0', second);
}

/** A published release, as if made earlier by promote. */
function addRelease(tagName: string, options: { latest?: boolean } = {}): number {
  const now = api.state.timestamp();
  const id = api.state.id();
  api.state.releases.push({
    id,
    tagName,
    targetCommitish: 'main',
    name: tagName,
    body: `Release ${tagName}`,
    draft: false,
    prerelease: false,
    createdAt: now,
    publishedAt: now,
    updatedAt: now,
  });
  if (options.latest) api.state.latestReleaseId = id;
  return id;
}

function rollback(repo: RepositoryReference, inputs: Record<string, string> = {}) {
  return runActionYml(rootActionDir, {
    inputs: {
      image: `${repo.registry}/${repo.repository}`,
      'audit-tag': AUDIT,
      release: 'published',
      'release-notes': 'none',
      'github-token': api.token,
      ...inputs,
    },
    github: { ref: 'refs/heads/main', sha: 'b'.repeat(40), repository: 'acme/app', api_url: api.url },
  });
}

const writes = () => api.requests.filter((request) => request.method !== 'GET');

describe('rollback action, GitHub release', () => {
  describe('when prod moves back from 1.4.0 to 1.3.0 and both have a release', () => {
    it('prepends the rollback notice to the 1.4.0 release, leaves 1.3.0 alone and outputs its URL', async () => {
      const repo = newRepo('both');
      const { b, c } = await seed(repo);
      seedTags();
      addRelease('v1.3.0');
      const latest = addRelease('v1.4.0', { latest: true });

      const result = await rollback(repo);

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(await digestOf(repo, 'prod')).toBe(b.digest);
      const replaced = api.state.releaseByTag('v1.4.0')!;
      expect(replaced.body).toMatch(
        new RegExp(
          `^${escape(MARKER)}\\n> \\[!WARNING\\]\\n> Rolled back on \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC: \`prod\` moved from 1\\.4\\.0 \\(${escape(c.digest)}\\) to 1\\.3\\.0 \\(${escape(b.digest)}\\); audit tag \`${AUDIT_TAG}\`\\.\\n\\nRelease v1\\.4\\.0$`,
        ),
      );
      expect(api.state.releaseByTag('v1.3.0')!.body).toBe('Release v1.3.0');
      expect(api.state.latestReleaseId).toBe(latest);
      expect(result.outputs['release-url']).toBe('https://github.com/acme/app/releases/tag/v1.3.0');
      expect(result.outputs['audit-tag']).toBe(AUDIT_TAG);
      expect(result.summary).toContain('**Releases:**');
      expect(result.summary).toContain('(1.3.0, now on `prod`): exists, left as it is');
      expect(result.summary).toContain('(1.4.0, replaced): rollback notice prepended');
      api.assertNoViolations();
    });

    it('does not prepend the notice twice when the same rollback runs again', async () => {
      const repo = newRepo('rerun');
      const { b, c } = await seed(repo);
      seedTags();
      addRelease('v1.3.0');
      addRelease('v1.4.0', { latest: true });

      const first = await rollback(repo);
      expect(first.exitCode, first.stdout + first.stderr).toBe(0);
      // prod is put back on 1.4.0 and rolled back again: the audit tag is the same.
      await tag(repo, c, ['prod']);
      const second = await rollback(repo);

      expect(second.exitCode, second.stdout + second.stderr).toBe(0);
      expect(await digestOf(repo, 'prod')).toBe(b.digest);
      const body = api.state.releaseByTag('v1.4.0')!.body ?? '';
      expect(body.split(MARKER)).toHaveLength(2);
      expect(body.match(/Rolled back on/g)).toHaveLength(1);
      expect(second.outputs['release-url']).toBe('https://github.com/acme/app/releases/tag/v1.3.0');
      expect(second.summary).toContain(`(1.4.0, replaced): already carries the notice of \`${AUDIT_TAG}\``);
      api.assertNoViolations();
    });
  });

  describe('when the release of 1.3.0 does not exist', () => {
    it('creates it as promote would (published, not latest below 1.4.0) and marks 1.4.0', async () => {
      const repo = newRepo('missing');
      const { b } = await seed(repo);
      seedTags();
      const latest = addRelease('v1.4.0', { latest: true });

      const result = await rollback(repo);

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const created = api.state.releaseByTag('v1.3.0');
      expect(created).toMatchObject({ draft: false, prerelease: false, name: 'v1.3.0' });
      expect(created!.body).toContain(b.digest);
      const createRequest = api.requests.find((request) => request.operationId === 'repos/create-release');
      expect(createRequest?.body).toMatchObject({ tag_name: 'v1.3.0', make_latest: 'false', draft: false });
      expect(api.state.latestReleaseId).toBe(latest);
      expect(api.state.releaseByTag('v1.4.0')!.body).toMatch(new RegExp(`^${escape(MARKER)}\\n`));
      expect(result.outputs['release-url']).toBe('https://github.com/acme/app/releases/tag/v1.3.0');
      expect(result.summary).toContain('(1.3.0, now on `prod`): created (published, make_latest false); notes from nothing (release-notes: none)');
      api.assertNoViolations();
    });

    it('creates it as a draft when release is draft', async () => {
      const repo = newRepo('draft');
      await seed(repo);
      seedTags();
      addRelease('v1.4.0', { latest: true });

      const result = await rollback(repo, { release: 'draft' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(api.state.releaseByTag('v1.3.0')).toMatchObject({ draft: true });
      expect(result.outputs['release-url']).toMatch(/^https:\/\/github\.com\/acme\/app\/releases\/untagged-\d+$/);
      api.assertNoViolations();
    });
  });

  describe('when dry-run is true', () => {
    it('shows the plan and writes nothing on GitHub', async () => {
      const repo = newRepo('dry');
      const { c } = await seed(repo);
      seedTags();
      addRelease('v1.4.0', { latest: true });

      const result = await rollback(repo, { 'dry-run': 'true' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(await digestOf(repo, 'prod')).toBe(c.digest);
      expect(writes()).toEqual([]);
      expect(api.state.releaseByTag('v1.3.0')).toBeUndefined();
      expect(api.state.releaseByTag('v1.4.0')!.body).toBe('Release v1.4.0');
      expect(result.outputs['release-url']).toBe('');
      expect(result.summary).toContain('**Releases (dry run, nothing written on GitHub):**');
      expect(result.summary).toContain('release v1.3.0 of 1.3.0: created as published (make_latest false)');
      expect(result.summary).toContain(`release v1.4.0: rollback notice (audit tag ${AUDIT_TAG}) prepended`);
      api.assertNoViolations();
    });
  });

  describe('when GitHub refuses the token while the releases are prepared', () => {
    it('fails before anything moves: no tag, no audit tag, no release, and the token is not printed', async () => {
      const repo = newRepo('badtoken');
      const { c } = await seed(repo);
      seedTags();
      addRelease('v1.4.0', { latest: true });
      const tagsBefore = (await client.listTags(repo)).sort();
      const wrongToken = 'ghs_not_the_right_token_1234';

      const result = await rollback(repo, { 'github-token': wrongToken });

      expect(result.exitCode).not.toBe(0);
      expect(result.stdout.split('\n').find((line) => line.startsWith('::error::'))).toMatch(/401|Bad credentials|unauthori/i);
      expect(await digestOf(repo, 'prod')).toBe(c.digest);
      expect((await client.listTags(repo)).sort()).toEqual(tagsBefore);
      expect(writes()).toEqual([]);
      // The runner is told to mask it (::add-mask::); nothing else may print it.
      const printed = [...result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')), result.stderr, result.summary].join('\n');
      expect(printed).not.toContain(wrongToken);
    });
  });

  describe('when the digests carry no version tag', () => {
    it('rolls back, changes no release and says why in the summary', async () => {
      const repo = newRepo('noversion');
      const { b, c } = await seed(repo, { versionTags: false });
      seedTags();
      addRelease('v1.3.0');
      addRelease('v1.4.0', { latest: true });

      const result = await rollback(repo);

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(await digestOf(repo, 'prod')).toBe(b.digest);
      expect(writes()).toEqual([]);
      expect(result.outputs['release-url']).toBe('');
      expect(result.summary).toContain(`no release changed for ${b.digest}: no SemVer tag`);
      expect(result.summary).toContain(`no release marked for ${c.digest}: no SemVer tag`);
      api.assertNoViolations();
    });
  });

  describe.each([
    ['github-token', { 'github-token': '' }, /read input github-token: required when release is published/],
    ['version', { version: 'one.three' }, /read input version: "one.three" is not a SemVer 2.0 version/],
    ['release', { release: 'sometimes' }, /read input release/],
  ])('when the input %s is wrong', (_name, inputs, message) => {
    it('fails naming it before any request', async () => {
      const repo = newRepo('bad');
      await seed(repo);
      const before = (await readAccessLog(registry)).length;

      const result = await rollback(repo, inputs);

      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toMatch(message);
      expect((await readAccessLog(registry)).slice(before).filter((entry) => entry.userAgent.includes('tagwright-rollback'))).toEqual([]);
      expect(api.requests).toEqual([]);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
