/**
 * Issue 11, cleanup side: the cleanup use case against a real registry through the fault proxy. Each
 * scenario asserts what the registry holds afterwards (every tag's digest, read directly, not through the
 * proxy), whether the cleanup failed and with what, and its report. The last one runs cleanup and promote
 * against the same repository, round after round, with the proxy slowing the DELETEs.
 */
import { clientFor, pushImage, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, RunningRegistry } from '@tagwright/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PartialMutationError, RegistryError } from '../errors.js';
import { promote } from '../promote/promote.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import type { RetentionPolicy } from '../retention/types.js';
import { registryRetentionBackend } from './backends.js';
import type { RetentionBackend } from './backends.js';
import { cleanup } from './cleanup.js';
import type { CleanupReport } from './cleanup.js';
import type { RetentionExecutionReport } from './inventory.js';

const NOW = new Date('2026-11-29T00:00:00Z');
/** keep the newest build: the three older ones go. */
const POLICY: RetentionPolicy = { keep: [{ pattern: 'sha-*', count: 1 }] };

describe('cleanup through the fault proxy', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  /** Straight to the registry: seeds, promotes and reads the final state. */
  let direct: RegistryClient;
  /** Through the proxy, with short timeouts: what is under test. */
  let client: RegistryClient;
  let round = 0;
  const at = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  const through = (repository: string): RepositoryReference => ({ registry: proxy.host, repository });

  /** Every tag of a repository and the digest it resolves to, read directly. */
  /**
   * Tag → digest. A DELETE this registry answers 500 (while a promotion writes to the repository) can
   * remove the manifest and leave its tags listed, pointing at nothing: such a tag reads `(dangling)`.
   */
  const state = async (repository: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const tag of (await direct.listTags(at(repository))).sort()) {
      out[tag] = await direct.resolveDigest({ ...at(repository), tag }).then(
        (descriptor) => descriptor.digest,
        (error: unknown) => {
          if ((error as { code?: unknown }).code !== 'NOT_FOUND') throw error;
          return '(dangling)';
        },
      );
    }
    return out;
  };

  /** A repository of four builds `sha-<n>a…` (the newest last), `prod` on the newest. */
  const seed = async (): Promise<{ repository: string; builds: string[]; tags: string[] }> => {
    const repository = `acme/app-${++round}`;
    const builds: string[] = [];
    const tags: string[] = [];
    for (let i = 0; i < 4; i++) {
      const tag = `sha-${i}a${i}b${i}c${i}`;
      builds.push((await pushImage(direct, at(repository), { tag, seed: `${repository} build ${i}` })).digest);
      tags.push(tag);
    }
    // The same creation time for all: keep-newest breaks the tie by tag, so sha-0… stays.
    const newest = builds[0] as string;
    const manifest = await direct.getManifest({ ...at(repository), digest: newest });
    await direct.putManifest(at(repository), 'prod', manifest);
    return { repository, builds, tags };
  };

  const run = (repository: string, backend?: (inner: RetentionBackend) => RetentionBackend): Promise<CleanupReport> => {
    const inner = registryRetentionBackend({ client, repo: through(repository) });
    return cleanup(
      { image: through(repository), policy: POLICY, trigger: { mode: 'scheduled' }, dryRun: false, now: NOW },
      { backend: () => (backend ? backend(inner) : inner) },
    );
  };
  const deletes = (from: number): number => proxy.log.slice(from).filter((entry) => entry.method === 'DELETE').length;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy({ upstream: registry.url });
    direct = clientFor(registry);
    client = clientFor(
      { host: proxy.host },
      { retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 }, timeouts: { connectMs: 300, idleMs: 400 } },
    );
  });

  afterEach(() => {
    proxy.clearRules();
  });

  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  describe('when a read the plan depends on fails or does not parse', () => {
    it.each<[string, Parameters<FaultProxy['addRule']>[0], RegExp]>([
      [
        'the referrers API answers 500 (it deleted 5 manifests with a warning before)',
        { method: 'GET', path: /\/referrers\//, fault: { kind: 'status', status: 500, body: 'boom' } },
        /^list the referrers of sha256:[0-9a-f]{64} in 127\.0\.0\.1:\d+\/acme\/app-\d+: .*500.*; nothing deleted$/,
      ],
      [
        'the tag list is {}',
        { method: 'GET', path: /\/tags\/list/, fault: { kind: 'rewrite', body: '{}' } },
        /list tags .*: the answer is not a valid tag list/,
      ],
      [
        'a manifest read times out',
        { method: 'GET', path: /\/manifests\/sha-2/, fault: { kind: 'hang' } },
        /get manifest .*no response within 700 ms/,
      ],
      [
        'a manifest read answers 503 after every retry',
        { method: 'GET', path: /\/manifests\/sha-1/, fault: { kind: 'status', status: 503 } },
        /get manifest .*503/,
      ],
    ])('%s: the cleanup fails with the error and deletes nothing', async (_what, rule, message) => {
      const { repository } = await seed();
      const before = await state(repository);
      const from = proxy.log.length;
      proxy.addRule(rule);

      const error = await run(repository).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(RegistryError);
      expect((error as Error).message).toMatch(message);
      expect(deletes(from)).toBe(0);
      expect(await state(repository)).toEqual(before);
    });
  });

  describe('when a DELETE times out', () => {
    it('re-reads the manifest: the DELETE landed, and the report says deleted', async () => {
      const { repository, tags } = await seed();
      const before = await state(repository);
      // The DELETE reaches the registry only after the client gave up (TIMEOUT at 700 ms, retried, again):
      // it lands at 1 s, before the re-read.
      proxy.addRule({ method: 'DELETE', path: /\/manifests\//, count: { first: 2 }, fault: { kind: 'delay', ms: 1000 } });

      const error = await run(repository).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(PartialMutationError);
      const report = (error as PartialMutationError<RetentionExecutionReport>).report;
      const first = report.failed?.digest as string;
      const gone = tags.find((tag) => before[tag] === first) as string;
      expect(report.failed).toMatchObject({ state: 'deleted', tags: [gone] });
      expect(report.failed?.error).toMatch(/no response within 700 ms/);
      expect(report.deleted.map((entry) => entry.digest)).toEqual([first]);
      expect(report.notDeleted).toHaveLength(2);
      expect((error as Error).message).toMatch(/; it was deleted; 1 of 3 manifest\(s\) were deleted$/);
      const { [gone]: _gone, ...rest } = before;
      expect(await state(repository)).toEqual(rest);
    });

    it('reports unknown when the re-read fails too', async () => {
      const { repository, tags } = await seed();
      const before = await state(repository);
      proxy.addRule({ method: 'DELETE', path: /\/manifests\//, fault: { kind: 'hang' } });
      proxy.addRule({ method: 'HEAD', path: /\/manifests\/sha256:/, fault: { kind: 'status', status: 500 } });

      const error = await run(repository).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(PartialMutationError);
      const report = (error as PartialMutationError<RetentionExecutionReport>).report;
      expect(report.failed?.state).toBe('unknown');
      expect(report.notDeleted[0]?.digest).toBe(report.failed?.digest);
      expect(report.notDeleted).toHaveLength(3);
      expect(report.deleted).toEqual([]);
      expect((error as Error).message).toMatch(/; whether it was deleted is unknown; 0 of 3 manifest\(s\) were deleted$/);
      // The hung DELETE never reached the registry.
      expect(await state(repository)).toEqual(before);
    });
  });

  describe('when a promotion moves prod onto a build the plan deletes', () => {
    it('after the plan, before the delete: the re-read sees it, nothing of it is deleted', async () => {
      const { repository, builds, tags } = await seed();
      const target = builds[2] as string;
      const report = await run(repository, (inner) => ({
        ...inner,
        async refresh(inventory, plan) {
          const fresh = await inner.refresh(inventory, plan);
          // A promotion lands between the last re-plan and the first delete.
          await promote({ client: direct, source: { ...at(repository), digest: target }, targets: ['prod'] });
          return fresh;
        },
      }));

      expect(report.execution?.stopped).toMatchObject({ digest: target, tags: ['prod'] });
      expect(report.warnings.join('\n')).toMatch(/stopped before deleting [1-3] planned manifest\(s\): tag\(s\) prod now point at sha256:/);
      const after = await state(repository);
      expect(after['prod']).toBe(target);
      expect(after[tags[2] as string]).toBe(target);
      // What went before the promotion was seen went; nothing after it.
      const deleted = (report.execution?.deleted ?? []).map((entry) => entry.digest);
      expect(deleted).not.toContain(target);
      expect(deleted.length + (report.execution?.notDeleted.length ?? 0)).toBe(3);
    });

    it('while its DELETE is in flight: the tag went with it and is put back', async () => {
      const { repository } = await seed();
      proxy.addRule({ method: 'DELETE', path: /\/manifests\//, count: { first: 1 }, fault: { kind: 'delay', ms: 400 } });
      const from = proxy.log.length;
      const moved = (async () => {
        // Wait until the first DELETE reached the proxy (after the re-read), then promote onto that build within its delay.
        let entry = proxy.log.slice(from).find((e) => e.method === 'DELETE');
        while (!entry) {
          await new Promise((r) => setTimeout(r, 5));
          entry = proxy.log.slice(from).find((e) => e.method === 'DELETE');
        }
        const digest = /manifests\/(sha256:[0-9a-f]{64})$/.exec(entry.path)?.[1] as string;
        await promote({ client: direct, source: { ...at(repository), digest }, targets: ['prod'] });
        return digest;
      })();

      const report = await run(repository);
      const target = await moved;

      expect(report.execution?.deleted[0]).toMatchObject({ digest: target, lostTags: [{ tag: 'prod', restored: true }] });
      expect(report.execution?.stopped?.reason).toMatch(/moved onto sha256:[0-9a-f]+ while it was deleted and were put back onto it/);
      expect(report.warnings.join('\n')).toMatch(/tag prod moved onto sha256:[0-9a-f]+ while it was being deleted and went with it; put back/);
      expect((await state(repository))['prod']).toBe(target);
    });
  });

  describe('when cleanup and promote run against the same repository, round after round', () => {
    it('never loses a tag a promotion wrote (50 rounds, DELETEs slowed by the proxy)', { timeout: 600_000 }, async () => {
      const ROUNDS = 50;
      proxy.addRule({ method: 'DELETE', path: /\/manifests\//, fault: { kind: 'delay', ms: 25 } });
      const tally = { promoted: 0, promoteFailed: 0, cleanupFailed: 0, stopped: 0, restored: 0, deleted: 0 };
      for (let i = 0; i < ROUNDS; i++) {
        const { repository, builds } = await seed();
        // prod moves onto one of the builds the plan deletes, at some point of the cleanup.
        const target = builds[1 + (i % 3)] as string;
        const wait = (i * 7) % 60;
        const promotion = (async () => {
          await new Promise((r) => setTimeout(r, wait));
          return promote({ client: direct, source: { ...at(repository), digest: target }, targets: ['prod'] });
        })().then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        // A read that fails (this registry can answer 500 while the same manifest is written) stops the
        // cleanup before it deletes: allowed; losing prod is not.
        let cleanupError = 'none';
        const report = await run(repository).catch((error: unknown) => {
          if (!(error instanceof RegistryError) && !(error instanceof PartialMutationError)) throw error;
          cleanupError = String(error);
          tally.cleanupFailed++;
          return error instanceof PartialMutationError ? { execution: error.report as RetentionExecutionReport } : {};
        });
        const promoted = await promotion;
        const after = await state(repository);

        if (promoted.ok) {
          tally.promoted++;
          expect(after['prod'], `round ${i}: prod must stay where the promotion put it; cleanup error: ${cleanupError}; report: ${JSON.stringify(report.execution)}`).toBe(target);
        } else {
          // The build was already gone when the promotion read it: nothing written, prod where it was.
          tally.promoteFailed++;
          expect(after['prod'], `round ${i}: prod lost (${String(promoted.error)}); cleanup error: ${cleanupError}; report: ${JSON.stringify(report.execution)}`).toMatch(/^sha256:/);
        }
        if (report.execution?.stopped) tally.stopped++;
        tally.restored += (report.execution?.deleted ?? []).flatMap((entry) => entry.lostTags ?? []).filter((lost) => lost.restored).length;
        tally.deleted += (report.execution?.deleted ?? []).length;
      }
      console.log(`cleanup vs promote: ${ROUNDS} rounds, ${JSON.stringify(tally)}`);
      expect(tally.promoted + tally.promoteFailed).toBe(ROUNDS);
    });
  });
});
