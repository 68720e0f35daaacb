import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartialMutationError, compileRetentionPolicy, createGitHubClient, ghcrRetentionBackend, registryRetentionBackend } from '@tagwright/core';
import type { RegistryClient, RepositoryReference, RetentionExecutionReport, RetentionPolicy } from '@tagwright/core';
import { clientFor, pushReferrer, readAccessLog, startGitHubApi, startRegistry } from '@tagwright/testkit';
import type { GitHubApi, RunningRegistry } from '@tagwright/testkit';
import type { Inputs } from '../src/inputs.js';
import { run } from '../src/run.js';
import type { Deps } from '../src/run.js';
import { buildTag, exists, pushBuild, pushCiRepository, pushMultiArch, tagsOf } from './fixture.js';

const NOW = new Date('2026-11-22T00:00:00Z');

function inputsFor(image: RepositoryReference, policy: RetentionPolicy, extra: Partial<Inputs> = {}): Inputs {
  return {
    image,
    backend: 'registry',
    policy,
    compiled: compileRetentionPolicy(policy),
    mode: 'retention',
    dryRun: false,
    registry: { insecureRegistries: [] },
    ...extra,
  };
}

describe('cleanup run()', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  const logs: string[] = [];
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  const deps = ({ registryClient = () => client, ...overrides }: Partial<Deps> & { registryClient?: () => RegistryClient } = {}): Deps => ({
    retentionBackend: async (inputs) => registryRetentionBackend({ client: registryClient(), repo: inputs.image }),
    now: () => NOW,
    info: (message) => logs.push(message),
    ...overrides,
  });

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  describe('when an old build digest also carries a release tag', () => {
    it('keeps the digest (deleting it would delete the release) and says why', async () => {
      const shared = repo('acme/shared');
      const builds = [];
      for (let i = 1; i <= 5; i++) {
        builds.push(await pushBuild(client, shared, { tag: buildTag(i), created: new Date(Date.UTC(2026, 0, i)), seed: `shared ${i}` }));
      }
      await client.putManifest(shared, '1.0.0', await client.getManifest({ ...shared, tag: buildTag(1) }));

      const result = await run(inputsFor(shared, { keep: [{ pattern: 'sha-*', count: 2 }] }), deps());

      const deleted = result.outputs.deleted as Array<{ tags: string[] }>;
      expect(deleted.flatMap((entry) => entry.tags).sort()).toEqual([buildTag(2), buildTag(3)].sort());
      expect(Object.keys(await tagsOf(client, shared))).toEqual(['1.0.0', buildTag(1), buildTag(4), buildTag(5)].sort());
      const kept = result.outputs.kept as Array<{ tag?: string; rule: string }>;
      expect(kept.find((entry) => entry.tag === buildTag(1))?.rule).toBe('shared-digest');
      expect(result.warnings?.join('\n')).toContain(`kept tag ${buildTag(1)}`);
    });
  });

  describe('when a branch was deleted', () => {
    it('deletes that branch tag only, never a release or another branch', async () => {
      const branches = repo('acme/branches');
      await pushBuild(client, branches, { tag: 'feature-login', created: new Date('2026-01-01T00:00:00Z'), seed: 'feature' });
      await pushBuild(client, branches, { tag: 'main', created: new Date('2025-01-01T00:00:00Z'), seed: 'main' });
      await pushBuild(client, branches, { tag: '1.0.0', created: new Date('2025-01-01T00:00:00Z'), seed: 'release' });
      await client.putManifest(branches, '1.0.1', await client.getManifest({ ...branches, tag: 'main' }));

      const result = await run(
        inputsFor(branches, { keep: [{ pattern: 'sha-*', count: 30 }] }, { mode: 'branch-deleted', branch: 'refs/heads/feature/login' }),
        deps(),
      );

      expect((result.outputs.deleted as Array<{ tags: string[] }>).map((entry) => entry.tags)).toEqual([['feature-login']]);
      expect(Object.keys(await tagsOf(client, branches))).toEqual(['1.0.0', '1.0.1', 'main']);
    });
  });

  describe('when a git tag was deleted', () => {
    it('deletes nothing and sends no request', async () => {
      const result = await run(
        inputsFor(repo('acme/app'), { keep: [{ pattern: 'sha-*', count: 0 }] }, { mode: 'tag-deleted' }),
        deps({
          registryClient: () => {
            throw new Error('a tag delete must not reach the registry');
          },
        }),
      );

      expect(result.outputs.deleted).toEqual([]);
      expect(result.summary).toContain('never deletes a release image');
    });
  });

  describe('when a delete fails part way', () => {
    it('throws PartialMutationError reporting exactly what was and was not deleted', async () => {
      const partial = repo('acme/partial');
      for (let i = 1; i <= 6; i++) {
        await pushBuild(client, partial, { tag: buildTag(i), created: new Date(Date.UTC(2026, 0, i)), seed: `partial ${i}` });
      }
      let calls = 0;
      const failing = {
        ...client,
        deleteManifest: async (target: RepositoryReference, digest: string) => {
          if (++calls === 3) throw Object.assign(new Error('registry answered 503'), { code: 'REGISTRY_ERROR' });
          return client.deleteManifest(target, digest);
        },
      } satisfies RegistryClient;

      const error = await run(inputsFor(partial, { keep: [{ pattern: 'sha-*', count: 1 }] }), deps({ registryClient: () => failing })).catch(
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(PartialMutationError);
      const report = (error as PartialMutationError<RetentionExecutionReport>).report;
      expect(report.deleted).toHaveLength(2);
      expect(report.notDeleted).toHaveLength(3);
      expect(report.failed?.error).toContain('503');
      const remaining = Object.keys(await tagsOf(client, partial));
      for (const gone of report.deleted) expect(remaining).not.toContain(gone.tags[0]);
      for (const left of report.notDeleted) expect(remaining).toContain(left.tags[0]);
      expect(String((error as Error).message)).toContain('2 of 5 manifest(s) were deleted');
    });
  });

  describe('when a release is promoted onto an old build while the cleanup runs', () => {
    it('sees the new tag before deleting, plans again and keeps that build', async () => {
      const racing = repo('acme/racing');
      const builds = [];
      for (let i = 1; i <= 5; i++) {
        builds.push(await pushBuild(client, racing, { tag: buildTag(i), created: new Date(Date.UTC(2026, 0, i)), seed: `racing ${i}` }));
      }
      let listings = 0;
      const promoting = {
        ...client,
        listTags: async (target: RepositoryReference) => {
          // The second listing is the check just before deleting: promote got there first.
          if (++listings === 2) await client.putManifest(racing, '1.2.0', await client.getManifest({ ...racing, tag: buildTag(1) }));
          return client.listTags(target);
        },
      } satisfies RegistryClient;

      const result = await run(inputsFor(racing, { keep: [{ pattern: 'sha-*', count: 2 }] }), deps({ registryClient: () => promoting }));

      expect((result.outputs.deleted as Array<{ tags: string[] }>).flatMap((entry) => entry.tags).sort()).toEqual([buildTag(2), buildTag(3)].sort());
      expect(await tagsOf(client, racing)).toMatchObject({ '1.2.0': builds[0]?.digest, [buildTag(1)]: builds[0]?.digest });
      expect(result.warnings?.join('\n')).toContain('tags changed while the repository was read (1.2.0); planned again with them');
    });
  });

  describe('when a protected tag moves off an old build while the cleanup runs', () => {
    it('deletes nothing rather than delete what it did not plan and print', async () => {
      const moving = repo('acme/moving');
      for (let i = 1; i <= 5; i++) {
        await pushBuild(client, moving, { tag: buildTag(i), created: new Date(Date.UTC(2026, 0, i)), seed: `moving ${i}` });
      }
      await client.putManifest(moving, 'latest', await client.getManifest({ ...moving, tag: buildTag(3) }));
      const before = await tagsOf(client, moving);
      let listings = 0;
      const rollingForward = {
        ...client,
        listTags: async (target: RepositoryReference) => {
          if (++listings === 2) await client.putManifest(moving, 'latest', await client.getManifest({ ...moving, tag: buildTag(5) }));
          return client.listTags(target);
        },
      } satisfies RegistryClient;

      const result = await run(inputsFor(moving, { keep: [{ pattern: 'sha-*', count: 2 }] }), deps({ registryClient: () => rollingForward }));

      expect(result.outputs.deleted).toEqual([]);
      expect(result.warnings?.join('\n')).toContain('tags changed while the repository was read (latest): nothing deleted; run again');
      expect(await tagsOf(client, moving)).toEqual({ ...before, latest: before[buildTag(5)] });
    });
  });

  describe('when a repository has 40 builds', () => {
    it('reads each tag once, configs only of deletable images, and referrers only of what goes', async () => {
      const counted = repo('acme/counted');
      const ci = await pushCiRepository(client, counted, new Date('2026-06-01T00:00:00Z'));
      const tags = Object.keys(await tagsOf(client, counted));
      const start = (await readAccessLog(registry)).length;

      await run(inputsFor(counted, { keep: [{ pattern: 'sha-*', count: 30 }] }, { dryRun: true }), deps());

      const requests = (await readAccessLog(registry)).slice(start);
      const manifestGets = requests.filter((r) => r.method === 'GET' && r.path.includes('/manifests/'));
      const heads = requests.filter((r) => r.method === 'HEAD' && r.path.includes('/manifests/'));
      const referrerApiCalls = requests.filter((r) => r.path.includes('/referrers/'));
      const blobGets = requests.filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
      const cosignTags = tags.filter((tag) => /\.(sig|att)$/.test(tag));
      // Legacy cosign tags are only resolved (HEAD); every other tag is read once (GET).
      expect(heads).toHaveLength(cosignTags.length);
      // The referrers of the 17 manifests the first plan deletes: build 6's fallback index tag was read
      // with the tags; for the 16 others the referrers API is asked once (404 here: this registry has none),
      // and the tag listing already held says none has a fallback index tag: no request per digest.
      expect(referrerApiCalls).toHaveLength(1);
      // Every other tag once, and the first platform manifest of the 2 multi-arch builds for their time.
      expect(manifestGets).toHaveLength(tags.length - cosignTags.length + ci.builds.filter((b) => b.children).length);
      // Config reads: the 31 single-platform builds whose time is not annotated, and the first platform
      // manifest of the 2 multi-arch builds; releases are protected, so their time is not read.
      expect(blobGets.length).toBe(31 + 2);
      expect(requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    });
  });
});

describe('cleanup run() on GHCR', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let api: GitHubApi;

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
    api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_cleanup_test' });
  });

  afterAll(async () => {
    await api?.stop();
    await registry?.stop();
  });

  describe('when keep-n leaves out old builds of an organization package', () => {
    it('deletes the versions keep-n leaves out, by id, with their signatures and platform manifests', async () => {
      const image: RepositoryReference = { registry: registry.host, repository: 'acme/app' };
      const owner = { org: 'acme' };
      const day = (n: number): string => new Date(Date.UTC(2026, 0, n)).toISOString().replace(/\.000Z$/, 'Z');
      const ids = new Map<string, number>();
      const add = (digest: string, tags: string[], createdAt: string): void => {
        ids.set(tags[0] ?? digest, api.state.addPackageVersion(owner, 'app', { digest, tags, createdAt }).id);
      };
      const release = await pushBuild(client, image, { tag: '1.0.0', created: new Date(day(1)), seed: 'ghcr release' });
      add(release.digest, ['1.0.0', 'latest'], day(1));
      const stray = await pushBuild(client, image, { created: new Date(day(1)), seed: 'ghcr stray untagged' });
      add(stray.digest, [], day(1));
      for (let i = 1; i <= 8; i++) {
        const build =
          i === 2
            ? await pushMultiArch(client, image, { tag: buildTag(i), created: new Date(day(i + 1)), seed: `ghcr ${i}` })
            : await pushBuild(client, image, { tag: buildTag(i), created: new Date(day(i + 1)), seed: `ghcr ${i}` });
        for (const child of build.children ?? []) add(child.digest, [], day(i + 1));
        add(build.digest, [buildTag(i)], day(i + 1));
        if (i === 1 || i === 8) {
          const sig = `${build.digest.replace(':', '-')}.sig`;
          add(`sha256:${'5'.repeat(63)}${i}`, [sig], day(i + 1));
        }
      }

      const policy: RetentionPolicy = { keep: [{ pattern: 'sha-*', count: 5 }] };
      const result = await run(inputsFor(image, policy, { backend: 'ghcr', githubToken: api.token }), {
        retentionBackend: async (inputs) =>
          ghcrRetentionBackend({
            github: createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: api.url, throttling: false }),
            client,
            repo: inputs.image,
          }),
        now: () => NOW,
        info: () => undefined,
      });

      const deleted = (result.outputs.deleted as Array<{ tags: string[] }>).flatMap((entry) => entry.tags).sort();
      const sigOf = async (i: number): Promise<string> =>
        `${(await client.resolveDigest({ ...image, tag: buildTag(i) })).digest.replace(':', '-')}.sig`;
      expect(deleted).toEqual([buildTag(1), buildTag(2), buildTag(3), await sigOf(1)].sort());
      const remaining = api.state.packageVersions(owner, 'app') ?? [];
      const remainingTags = remaining.flatMap((v) => v.tags).sort();
      expect(remainingTags).toEqual(['1.0.0', 'latest', buildTag(4), buildTag(5), buildTag(6), buildTag(7), buildTag(8), await sigOf(8)].sort());
      // Build 2's platform manifests (untagged versions) went with it; the other untagged version stays
      // (delete-untagged is off).
      expect(remaining.filter((v) => v.tags.length === 0).map((v) => v.name)).toEqual([stray.digest]);
      const deletes = api.requests.filter((r) => r.method === 'DELETE');
      expect(deletes).toHaveLength(6);
      for (const tag of [buildTag(1), buildTag(2), buildTag(3)]) {
        expect(deletes.some((r) => r.path.endsWith(`/versions/${ids.get(tag)}`)), tag).toBe(true);
      }
      api.assertNoViolations();
      expect(await exists(client, image, release.digest)).toBe(true);
    });
  });
  describe('when delete-untagged is on', () => {
    it('deletes the stray untagged version, never a platform manifest or a referrer of a kept build', async () => {
      const image: RepositoryReference = { registry: registry.host, repository: 'acme/tools' };
      const owner = { org: 'acme' };
      const created = '2026-01-01T00:00:00Z';
      const add = (digest: string, tags: string[] = []): number => api.state.addPackageVersion(owner, 'tools', { digest, tags, createdAt: created }).id;
      const build = await pushMultiArch(client, image, { tag: buildTag(1), created: new Date(created), seed: 'tools build' });
      add(build.digest, [buildTag(1)]);
      for (const child of build.children ?? []) add(child.digest);
      const referrer = await pushReferrer(client, image, build, { artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' });
      add(referrer.digest);
      const fallback = await client.resolveDigest({ ...image, tag: build.digest.replace(':', '-') });
      add(fallback.digest, [build.digest.replace(':', '-')]);
      const stray = await pushBuild(client, image, { created: new Date(created), seed: 'tools stray' });
      const strayId = add(stray.digest);
      const before = api.requests.length;

      const policy: RetentionPolicy = { keep: [{ pattern: 'sha-*', count: 30 }], deleteUntagged: true };
      const result = await run(inputsFor(image, policy, { backend: 'ghcr', githubToken: api.token }), {
        retentionBackend: async (inputs) =>
          ghcrRetentionBackend({
            github: createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: api.url, throttling: false }),
            client,
            repo: inputs.image,
          }),
        now: () => NOW,
        info: () => undefined,
      });

      expect((result.outputs.deleted as Array<{ digest: string }>).map((entry) => entry.digest)).toEqual([stray.digest]);
      const deletes = api.requests.slice(before).filter((r) => r.method === 'DELETE');
      expect(deletes.map((r) => r.path.split('/').pop())).toEqual([String(strayId)]);
      const kept = new Map((result.outputs.kept as Array<{ digest: string; rule: string }>).map((entry) => [entry.digest, entry.rule]));
      for (const child of build.children ?? []) expect(kept.get(child.digest)).toBe('index-child');
      expect(kept.get(referrer.digest)).toBe('artifact');
      api.assertNoViolations();
    });
  });
});
