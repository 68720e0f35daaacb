import { clientFor, pushImage, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, RunningRegistry, SeededImage } from '@tagwright/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PartialMutationError, PolicyError } from '../errors.js';
import { ROLLBACK_AUDIT_TEMPLATE } from '../policy/rollback.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { rollback } from './rollback.js';
import type { RollbackPorts, RollbackRequest } from './rollback.js';

const NOW = new Date('2026-11-22T10:15:30Z');
const AUDIT = 'prod-rollback-20261122-101530-from-ccccccc';

/** Issue 11 item 3: a rollback decides from a digest-verified read and compare-and-swaps the track. */
describe('rollback (compare-and-swap through the fault proxy)', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  /** Straight to the registry: seeding, the concurrent promote, and the final state. */
  let direct: RegistryClient;
  /** Through the proxy: the rollback under test. */
  let proxied: RegistryClient;
  let counter = 0;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy({ upstream: registry.url });
    direct = clientFor(registry);
    proxied = clientFor({ host: proxy.host, credentials: registry.credentials });
  });
  afterEach(() => proxy.clearRules());
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  async function seed(): Promise<{ name: string; a: SeededImage; b: SeededImage; c: SeededImage; d: SeededImage }> {
    counter++;
    const name = `cas/app-${counter}`;
    const repo = { registry: registry.host, repository: name };
    const a = await pushImage(direct, repo, { tag: 'prod-20261101-aaaaaaa', seed: `${name}-a` });
    const b = await pushImage(direct, repo, { tag: 'prod-20261110-bbbbbbb', seed: `${name}-b` });
    const c = await pushImage(direct, repo, { tag: 'prod-20261120-ccccccc', seed: `${name}-c` });
    // d: a new build another job promotes while the rollback runs.
    const d = await pushImage(direct, repo, { tag: 'build-d', seed: `${name}-d` });
    await moveTag(repo, 'prod', c.digest);
    return { name, a, b, c, d };
  }

  async function moveTag(repo: RepositoryReference, tag: string, digest: string): Promise<void> {
    await direct.putManifest(repo, tag, await direct.getManifest({ ...repo, digest }));
  }

  async function state(name: string): Promise<Record<string, string>> {
    const repo = { registry: registry.host, repository: name };
    const out: Record<string, string> = {};
    for (const tag of (await direct.listTags(repo)).sort()) out[tag] = (await direct.resolveDigest({ ...repo, tag })).digest;
    return out;
  }

  function request(name: string): RollbackRequest {
    return {
      image: { registry: proxy.host, repository: name },
      track: 'prod',
      also: [],
      history: { pattern: 'prod-*', matches: (tag) => tag.startsWith('prod-'), stampTemplates: ['prod-{date}-{sha}', 'prod-{datetime}-{sha}'] },
      auditTemplate: ROLLBACK_AUDIT_TEMPLATE,
      dryRun: false,
      now: NOW,
    };
  }

  describe('when a promote moves prod after the rollback decided and before it writes', () => {
    it('refuses with TRACK_MOVED and writes nothing', async () => {
      const { name, a, b, c, d } = await seed();
      const repo = { registry: registry.host, repository: name };
      // The verification hook runs between the decision and the writes: the concurrent promote lands there.
      const ports: RollbackPorts<{ verified: boolean }> = { client: proxied, verify: async () => (await moveTag(repo, 'prod', d.digest), { verified: true }) };

      const error = await rollback(request(name), ports).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PolicyError);
      expect((error as PolicyError).code).toBe('TRACK_MOVED');
      expect((error as PolicyError).message).toContain(`prod pointed at ${c.digest} when the rollback was planned and now points at ${d.digest}`);
      expect((error as PolicyError).message).toMatch(/nothing was moved$/);
      expect(await state(name)).toEqual({
        'build-d': d.digest,
        prod: d.digest,
        'prod-20261101-aaaaaaa': a.digest,
        'prod-20261110-bbbbbbb': b.digest,
        'prod-20261120-ccccccc': c.digest,
      });
    });
  });

  describe('when the pre-write read of prod is slowed and a promote moves prod meanwhile', () => {
    it('reads the moved digest right before the write and refuses, nothing written', async () => {
      const { name, a, b, c, d } = await seed();
      const repo = { registry: registry.host, repository: name };
      // GET 1 of prod is the decision, GET 2 the read right before the write: hold it until prod has moved.
      let release!: () => void;
      const moved = new Promise<void>((resolve) => (release = resolve));
      proxy.addRule({ method: 'GET', path: new RegExp(`/${name}/manifests/prod$`), count: { nth: 2 }, fault: { kind: 'delay', ms: 1500 } });
      const running = rollback(request(name), { client: proxied }).catch((e: unknown) => e);
      const held = async (): Promise<void> => {
        while (proxy.log.filter((entry) => entry.method === 'GET' && entry.path.endsWith(`/${name}/manifests/prod`)).length < 2) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await moveTag(repo, 'prod', d.digest);
        release();
      };
      await Promise.all([held(), moved]);

      const error = await running;

      expect((error as PolicyError).code).toBe('TRACK_MOVED');
      expect(await state(name)).toEqual({
        'build-d': d.digest,
        prod: d.digest,
        'prod-20261101-aaaaaaa': a.digest,
        'prod-20261110-bbbbbbb': b.digest,
        'prod-20261120-ccccccc': c.digest,
      });
    });
  });

  describe('when the HEAD of prod answers a stale digest', () => {
    it('decides from the manifest bytes and rolls back exactly one build', async () => {
      const { name, a, b, c, d } = await seed();
      // A cache that still answers prod's previous build (b) on HEAD; the old code took b as current and skipped to a.
      proxy.addRule({
        method: 'HEAD',
        path: new RegExp(`/${name}/manifests/prod$`),
        count: { first: 1 },
        fault: { kind: 'rewrite', headers: { 'Docker-Content-Digest': b.digest } },
      });

      const report = await rollback(request(name), { client: proxied });

      expect(report.fromDigest).toBe(c.digest);
      expect(report.toDigest).toBe(b.digest);
      expect(report.audit.tag).toBe(AUDIT);
      expect(await state(name)).toEqual({
        'build-d': d.digest,
        prod: b.digest,
        [AUDIT]: c.digest,
        'prod-20261101-aaaaaaa': a.digest,
        'prod-20261110-bbbbbbb': b.digest,
        'prod-20261120-ccccccc': c.digest,
      });
    });
  });

  describe('when a promote moves prod right after the rollback wrote it', () => {
    it('fails with the partial report showing the other digest, the audit tag naming the build replaced', async () => {
      const { name, a, b, c, d } = await seed();
      const repo = { registry: registry.host, repository: name };
      // Every read of prod after the write is held back while the other job's promote lands.
      let racing: Promise<void> | undefined;
      const onProgress = (message: string): void => {
        if (message.startsWith('wrote prod ->')) {
          proxy.addRule({ method: 'HEAD', path: new RegExp(`/${name}/manifests/prod$`), fault: { kind: 'delay', ms: 1000 } });
          proxy.addRule({ method: 'GET', path: new RegExp(`/${name}/manifests/prod$`), fault: { kind: 'delay', ms: 1000 } });
          racing = moveTag(repo, 'prod', d.digest);
        }
      };

      const error = await rollback(request(name), { client: proxied, onProgress }).catch((e: unknown) => e);
      await racing;

      expect(error).toBeInstanceOf(PartialMutationError);
      const report = (error as PartialMutationError).report as { audit: { targets: Array<{ tag: string; status: string }> }; move: { targets: Array<{ tag: string; after: string | null }> } };
      expect(report.audit.targets).toEqual([expect.objectContaining({ tag: AUDIT, status: 'written' })]);
      expect(report.move.targets).toEqual([expect.objectContaining({ tag: 'prod', after: d.digest })]);
      expect(await state(name)).toEqual({
        'build-d': d.digest,
        prod: d.digest,
        [AUDIT]: c.digest,
        'prod-20261101-aaaaaaa': a.digest,
        'prod-20261110-bbbbbbb': b.digest,
        'prod-20261120-ccccccc': c.digest,
      });
    });
  });
});
