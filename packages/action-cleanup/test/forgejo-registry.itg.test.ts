import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, runActionYml, startForgejoStyleRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';
import { exists, pushCiRepository, tagsOf } from './fixture.js';
import type { CiRepository } from './fixture.js';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'cleanup');

interface DeletedOutput {
  digest: string;
  tags: string[];
}

// Forgejo's container registry: one host serving /v2/token (Basic user + access token, service
// container_registry, scope repository:acme/app:pull,push) and /v2/; no referrers API.
describe('cleanup action on a Forgejo-style registry', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  const repo: RepositoryReference = { registry: '', repository: 'acme/app' };
  let ci: CiRepository;
  let before: Record<string, string>;

  beforeAll(async () => {
    registry = await startForgejoStyleRegistry({ owner: 'acme' });
    client = clientFor(registry);
    repo.registry = registry.host;
    ci = await pushCiRepository(client, repo, new Date('2026-06-01T00:00:00Z'));
    before = await tagsOf(client, repo);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  describe('when keep-n is 30 with the user and access token as inputs', () => {
    it('deletes the 10 oldest sha builds and keeps every release, newer build and what they need', async () => {
      const result = await runActionYml(action, {
        inputs: {
          image: `${registry.host}/acme/app`,
          'keep-n': '30',
          username: registry.credentials!.username,
          password: registry.credentials!.password,
        },
        github: { event_name: 'schedule' },
      });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      // `::add-mask::` is the runner's own protocol (it masks the value); nothing else may carry it.
      const printed = (result.stdout + result.stderr).split('\n').filter((line) => !line.startsWith('::add-mask::'));
      expect(printed.join('\n')).not.toContain(registry.credentials!.password);
      const deleted = JSON.parse(result.outputs.deleted as string) as DeletedOutput[];
      const deletedTags = deleted.flatMap((entry) => entry.tags);
      const oldest = ci.builds.slice(0, 10).map((build) => build.tag as string);
      const newest = ci.builds.slice(10).map((build) => build.tag as string);
      for (const tag of oldest) expect(deletedTags, tag).toContain(tag);
      for (const digest of ci.builds.slice(0, 10).map((build) => build.digest)) expect(await exists(client, repo, digest), digest).toBe(false);

      const after = await tagsOf(client, repo);
      for (const tag of newest) expect(after[tag], tag).toBe(before[tag]);
      for (const tag of Object.keys(ci.releases)) expect(after[tag], tag).toBe(before[tag]);
      for (const tag of Object.keys(after)) expect(after[tag], tag).toBe(before[tag]);
      for (const child of ci.multiArch.children ?? []) expect(await exists(client, repo, child.digest), child.digest).toBe(true);
    });
  });
});
