import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, pushIndex, readAccessLog, runActionYml, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'compute-tags');
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

async function seed(registry: RunningRegistry, repository: string, tags: string[]): Promise<void> {
  const client = clientFor(registry);
  const repo = { registry: registry.host, repository };
  for (const tag of tags) await pushIndex(client, repo, { tag, seed: `${repository}:${tag}` });
}

describe('compute-tags action', () => {
  let registry: RunningRegistry;
  let secured: RunningRegistry;

  beforeAll(async () => {
    [registry, secured] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd' })]);
    await seed(registry, 'acme/backport', ['1.2.0', '1.3.0', 'latest', 'sha-0000000']);
    await seed(registry, 'acme/prefixed', ['v1.2.0', 'v1.3.0']);
    await seed(secured, 'acme/private', ['1.0.0']);
  });

  afterAll(async () => {
    await Promise.all([registry?.stop(), secured?.stop()]);
  });

  const run = (inputs: Record<string, string>, ref: string, env: Record<string, string> = {}) =>
    runActionYml(action, { inputs: { 'sha-tag': 'false', ...inputs }, github: { ref, sha }, env });

  describe('when a backport is released', () => {
    it('gives 1.2.1 and 1.2, withholds 1 and latest, and says why', async () => {
      const result = await run({ images: `${registry.host}/acme/backport` }, 'refs/tags/1.2.1');
      expect(result.exitCode, result.stderr + result.stdout).toBe(0);
      expect(result.outputs['tag-names']).toBe('1.2.1\n1.2');
      expect(result.outputs.tags).toBe(`${registry.host}/acme/backport:1.2.1\n${registry.host}/acme/backport:1.2`);
      expect(result.outputs['is-latest']).toBe('false');
      expect(result.outputs.version).toBe('1.2.1');
      expect(result.summary).toMatch(/latest stays on 1\.3\.0/);
      const json = JSON.parse(result.outputs.json!) as { images: Array<{ decisions: Array<{ tag: string; given: boolean }> }> };
      expect(json.images[0]!.decisions.filter((d) => !d.given).map((d) => d.tag)).toEqual(expect.arrayContaining(['1', 'latest']));
    });
  });

  describe('when a prerelease is built', () => {
    it('gives only its own tag', async () => {
      const result = await run({ images: `${registry.host}/acme/backport` }, 'refs/tags/v2.0.0-rc.1');
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.outputs['tag-names']).toBe('2.0.0-rc.1');
      expect(result.outputs['is-prerelease']).toBe('true');
    });
  });

  describe('when the first release goes into an empty repository', () => {
    it('gives the version, minor, major and latest', async () => {
      const result = await run({ images: `${registry.host}/acme/new`, 'sha-tag': 'true' }, 'refs/tags/v0.9.0'.replace('0.9.0', '1.0.0'));
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.outputs['tag-names']).toBe('1.0.0\n1.0\n1\nlatest\nsha-4f1c2d3');
      expect(result.outputs['is-latest']).toBe('true');
    });
  });

  describe('when tag-prefix is v', () => {
    it('writes v-prefixed tags and compares v1.3.0 with 1.3.1 as versions', async () => {
      const result = await run({ images: `${registry.host}/acme/prefixed`, 'tag-prefix': 'v' }, 'refs/tags/1.3.1');
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.outputs['tag-names']).toBe('v1.3.1\nv1.3\nv1\nlatest');
    });
  });

  describe('when registry-aware is false', () => {
    it('computes from the ref alone and warns', async () => {
      const result = await run({ images: `${registry.host}/acme/backport`, 'registry-aware': 'false' }, 'refs/tags/1.2.1');
      expect(result.exitCode).toBe(0);
      expect(result.outputs['tag-names']).toBe('1.2.1\n1.2\n1\nlatest');
      expect(result.stdout).toMatch(/::warning::registry-aware tagging is off/);
    });
  });

  describe('when branches and pull requests are built', () => {
    it.each([
      ['refs/heads/main', 'main=staging', 'staging\nsha-4f1c2d3\nstaging-20261122-4f1c2d3'],
      ['refs/heads/feature/login', '', 'feature-login\nsha-4f1c2d3\nstaging-20261122-4f1c2d3'],
    ])('%s gets its tags', async (ref, branchTags, expected) => {
      const result = await run(
        { images: `${registry.host}/acme/backport`, 'branch-tags': branchTags, 'sha-tag': 'true', stamp: 'staging-{date}-{sha}' },
        ref,
      );
      expect(result.exitCode, result.stderr).toBe(0);
      const [first, second, stamp] = expected.split('\n');
      const names = result.outputs['tag-names']!.split('\n');
      expect(names.slice(0, 2)).toEqual([first, second]);
      expect(names[2]).toMatch(new RegExp(`^${stamp!.replace('20261122', '\\d{8}')}$`));
    });
  });

  describe('when the registry needs credentials', () => {
    it('uses the username and password inputs', async () => {
      const result = await run(
        { images: `${secured.host}/acme/private`, username: secured.credentials!.username, password: secured.credentials!.password },
        'refs/tags/1.1.0',
      );
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs['tag-names']).toBe('1.1.0\n1.1\n1\nlatest');
      expect(result.stdout).toContain(`::add-mask::${secured.credentials!.password}`);
    });

    it('uses a Docker config.json written by docker/login-action', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'tw-docker-config-'));
      const auth = Buffer.from(`${secured.credentials!.username}:${secured.credentials!.password}`).toString('base64');
      await writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { [secured.host]: { auth } } }));
      try {
        const result = await run({ images: `${secured.host}/acme/private` }, 'refs/tags/0.9.0', { DOCKER_CONFIG: dir });
        expect(result.exitCode, result.stdout + result.stderr).toBe(0);
        expect(result.outputs['tag-names']).toBe('0.9.0\n0.9');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('fails with a clear error that never prints the password', async () => {
      const password = 'definitely-wrong-password';
      const result = await run(
        { images: `${secured.host}/acme/private`, username: secured.credentials!.username, password },
        'refs/tags/1.1.0',
      );
      expect(result.exitCode).not.toBe(0);
      const failure = result.stdout.split('\n').find((line) => line.startsWith('::error::'));
      expect(failure).toMatch(/401|UNAUTHORIZED|unauthorized/i);
      expect(failure).not.toContain(password);
    });
  });

  // Issue 12, defect 2: a pull request's build gets pr-N and nothing of its base branch.
  describe('when a pull request is built', () => {
    let eventDir: string;
    beforeAll(async () => {
      eventDir = await mkdtemp(path.join(tmpdir(), 'tw-event-'));
    });
    afterAll(async () => {
      await rm(eventDir, { recursive: true, force: true });
    });

    it.each([
      ['pull_request', 'refs/pull/42/merge', 42],
      ['pull_request_target', 'refs/heads/main', 7],
    ])('%s on %s gets pr-N and sha only: no branch tag, mapping or stamp', async (eventName, ref, number) => {
      const event = path.join(eventDir, `${eventName}.json`);
      await writeFile(event, JSON.stringify({ number, pull_request: { number } }));
      const result = await runActionYml(action, {
        inputs: { images: `${registry.host}/acme/backport`, 'branch-tags': 'main=staging', 'sha-tag': 'true', stamp: 'staging-{date}-{sha}' },
        github: { ref, sha, event_name: eventName },
        env: { GITHUB_EVENT_PATH: event },
      });
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs['tag-names']).toBe(`pr-${number}\nsha-4f1c2d3`);
    });

    it('fails closed when the pull request payload is missing', async () => {
      const result = await runActionYml(action, {
        inputs: { images: `${registry.host}/acme/backport`, 'branch-tags': 'main=staging' },
        github: { ref: 'refs/heads/main', sha, event_name: 'pull_request_target' },
      });
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toContain('read the pull_request_target event payload: GITHUB_EVENT_PATH is not set');
    });
  });

  describe('when an input is malformed', () => {
    it.each([
      // REGISTRY stands for the test registry: its access log proves no request was made.
      ['images', { images: 'REGISTRY/Acme/App' }, 'refs/tags/1.0.0', /image|repository/i],
      ['images with a tag', { images: 'REGISTRY/acme/backport:1.0' }, 'refs/tags/1.0.0', /tag|repository/i],
      ['stamp', { images: 'REGISTRY/acme/backport', stamp: 'prod-{when}' }, 'refs/tags/1.0.0', /stamp|template|when/i],
      ['floating', { images: 'REGISTRY/acme/backport', floating: 'major,patch' }, 'refs/tags/1.0.0', /floating.*patch/],
      ['ref', { images: 'REGISTRY/acme/backport' }, 'refs/tags/1..0', /ref/],
    ])('fails on a bad %s before any request', async (_name, inputs, ref, message) => {
      const before = (await readAccessLog(registry)).length;
      const result = await run({ ...inputs, images: inputs.images.replace('REGISTRY', registry.host) }, ref);
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toMatch(message);
      expect((await readAccessLog(registry)).length).toBe(before);
    });
  });
});
