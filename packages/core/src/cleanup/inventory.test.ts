import { describe, expect, it } from 'vitest';
import { ConfigurationError, PartialMutationError, PolicyError } from '../errors.js';
import { executeRetentionPlan, ghcrDeleteTarget, registryDeleteTarget } from './inventory.js';
import type { RetentionDeleteTarget, RetentionExecutionReport } from './inventory.js';
import { planRetention } from '../retention/plan.js';
import { cosignTag, daysBefore, digestOf } from '../retention/testing.js';
import type { RetentionPlan } from '../retention/types.js';

const NOW = new Date('2026-11-22T00:00:00Z');

/** A delete target that records what it was asked to delete and fails on request. */
function recordingTarget(options: { failOn?: string; absent?: string[] } = {}): RetentionDeleteTarget & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: 'test repository',
    calls,
    async deleteManifest(digest) {
      calls.push(digest);
      if (digest === options.failOn) throw new Error('503 Service Unavailable');
      return options.absent?.includes(digest) ? 'absent' : 'deleted';
    },
  } satisfies RetentionDeleteTarget & { calls: string[] };
}

function planOfFiveBuilds(): RetentionPlan {
  const builds = [1, 2, 3, 4, 5].map((i) => ({ tag: `sha-${i}`, digest: digestOf(`build ${i}`), created: daysBefore(NOW, 10 - i) }));
  const sig = { tag: cosignTag(digestOf('build 1'), 'sig'), digest: digestOf('sig of build 1') };
  return planRetention({
    inventory: { tags: [...builds, sig] },
    policy: { keep: [{ pattern: 'sha-*', count: 2 }] },
    canUntag: false,
    now: NOW,
  });
}

describe('executeRetentionPlan', () => {
  describe('when every delete succeeds', () => {
    it('deletes in plan order: the signature before its subject', async () => {
      const plan = planOfFiveBuilds();
      const target = recordingTarget();

      const report = await executeRetentionPlan(plan, target);

      expect(target.calls).toEqual(plan.delete.map((entry) => entry.digest));
      expect(target.calls.indexOf(digestOf('sig of build 1'))).toBeLessThan(target.calls.indexOf(digestOf('build 1')));
      expect(report.deleted.map((entry) => entry.tags[0]).sort()).toEqual([cosignTag(digestOf('build 1'), 'sig'), 'sha-1', 'sha-2', 'sha-3'].sort());
      expect(report.notDeleted).toEqual([]);
    });

    it('reports a manifest that was already gone as absent', async () => {
      const report = await executeRetentionPlan(planOfFiveBuilds(), recordingTarget({ absent: [digestOf('build 2')] }));

      expect(report.deleted.find((entry) => entry.digest === digestOf('build 2'))?.alreadyAbsent).toBe(true);
    });
  });

  describe('when a delete fails part way', () => {
    it('throws PartialMutationError with exactly what was and was not deleted', async () => {
      const plan = planOfFiveBuilds();
      const failing = plan.delete[2]?.digest as string;

      const error = await executeRetentionPlan(plan, recordingTarget({ failOn: failing })).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PartialMutationError);
      const report = (error as PartialMutationError<RetentionExecutionReport>).report;
      expect(report.deleted.map((entry) => entry.digest)).toEqual(plan.delete.slice(0, 2).map((entry) => entry.digest));
      expect(report.notDeleted).toEqual(plan.delete.slice(2));
      expect(report.failed).toEqual({ state: 'not-deleted', digest: failing, tags: plan.delete[2]?.tags, error: '503 Service Unavailable' });
      expect((error as Error).message).toContain('2 of 4 manifest(s) were deleted');
    });
  });

  describe('when the plan cannot be carried out', () => {
    it('deletes nothing for a skipped plan', async () => {
      const target = recordingTarget();
      const plan = planRetention({ inventory: { tags: [] }, policy: {}, canUntag: false, now: NOW, mode: 'tag-deleted' });

      expect(await executeRetentionPlan(plan, target)).toEqual({ deleted: [], notDeleted: [] });
      expect(target.calls).toEqual([]);
    });

    it('refuses a plan that keeps and deletes the same digest, before any delete', async () => {
      const plan = planOfFiveBuilds();
      const target = recordingTarget();
      const broken: RetentionPlan = { ...plan, keep: [...plan.keep, { digest: plan.delete[1]?.digest as string, rule: 'protect', reason: 'test' }] };

      await expect(executeRetentionPlan(broken, target)).rejects.toBeInstanceOf(PolicyError);
      expect(target.calls).toEqual([]);
    });

    it('refuses untags (neither backend can remove one tag alone), before any delete', async () => {
      const plan = planOfFiveBuilds();
      const target = recordingTarget();
      const withUntag: RetentionPlan = { ...plan, untag: [{ tag: 'sha-x', digest: digestOf('x'), rule: 'keep-newest', reason: 'test' }] };

      await expect(executeRetentionPlan(withUntag, target)).rejects.toBeInstanceOf(ConfigurationError);
      expect(target.calls).toEqual([]);
    });
  });
});

describe('registryDeleteTarget', () => {
  describe('when the registry answers 404', () => {
    it('counts the manifest as absent', async () => {
      const client = {
        deleteManifest: async () => {
          throw Object.assign(new Error('manifest unknown'), { code: 'NOT_FOUND' });
        },
      };
      expect(await registryDeleteTarget(client, { registry: 'r.example', repository: 'app' }).deleteManifest(digestOf('x'))).toBe('absent');
    });
  });
});

describe('executeRetentionPlan when a tag is left pointing at a deleted manifest', () => {
  it('finds it at the final check, puts it back onto the same bytes and says so', async () => {
    const plan = planOfFiveBuilds();
    const lastDigest = plan.delete[plan.delete.length - 1]?.digest as string;
    const tags = new Map<string, string>([...plan.keep].flatMap((entry) => (entry.tag ? [[entry.tag, entry.digest] as [string, string]] : [])));
    const manifests = new Set([...plan.keep, ...plan.delete].map((entry) => entry.digest));
    let afterLastDelete = 0;
    const restored: string[] = [];
    const target = {
      name: 'test repository',
      async deleteManifest(digest: string) {
        manifests.delete(digest);
        for (const [tag, on] of [...tags]) if (on === digest) tags.delete(tag);
        return 'deleted' as const;
      },
      guard: {
        async listTags() {
          // A promotion's tag write lands after the re-read that follows the last DELETE: sha-5 stays
          // listed, pointing at the deleted manifest.
          if (!manifests.has(lastDigest) && ++afterLastDelete === 2) tags.set('sha-5', lastDigest);
          return [...tags.keys()];
        },
        async resolveTags(wanted: readonly string[]) {
          return new Map(wanted.flatMap((tag): Array<[string, string]> => (manifests.has(tags.get(tag) ?? '') ? [[tag, tags.get(tag) as string]] : [])));
        },
        async readManifest(digest: string) {
          return manifests.has(digest) ? { bytes: new TextEncoder().encode(digest), mediaType: 'application/vnd.oci.image.manifest.v1+json', digest } : undefined;
        },
        async exists(digest: string) {
          return manifests.has(digest);
        },
        async restoreTag(tag: string, manifest: { bytes: Uint8Array }) {
          const digest = new TextDecoder().decode(manifest.bytes);
          manifests.add(digest);
          tags.set(tag, digest);
          restored.push(`${tag} ${digest}`);
        },
      },
    } satisfies RetentionDeleteTarget;

    const report = await executeRetentionPlan(plan, target);

    expect(restored).toEqual([`sha-5 ${lastDigest}`]);
    expect(report.stopped?.tags).toEqual(['sha-5']);
    expect(report.deleted[report.deleted.length - 1]?.lostTags).toEqual([{ tag: 'sha-5', restored: true }]);
  });
});

describe('executeRetentionPlan with a guard that reads one manifest\'s tags (GHCR)', () => {
  /** A package: tag → digest; `tagsOf` reads one version, `listTags` the whole package. */
  function packageTarget(tags: Map<string, string>, hooks: { beforeDelete?: (digest: string) => void } = {}) {
    const counts = { tagsOf: 0, listTags: 0, deletes: 0 };
    const target = {
      name: 'GHCR package acme/app',
      async deleteManifest(digest: string) {
        hooks.beforeDelete?.(digest);
        counts.deletes += 1;
        for (const [tag, on] of [...tags]) if (on === digest) tags.delete(tag);
        return 'deleted' as const;
      },
      guard: {
        async listTags() {
          counts.listTags += 1;
          return [...tags.keys()];
        },
        async resolveTags() {
          throw new Error('not used with tagsOf');
        },
        async exists(digest: string) {
          return [...tags.values()].includes(digest);
        },
        async tagsOf(digest: string) {
          counts.tagsOf += 1;
          const on = [...tags].filter(([, value]) => value === digest).map(([tag]) => tag);
          return on.length > 0 ? on : undefined;
        },
      },
    } satisfies RetentionDeleteTarget;
    return { target, counts };
  }
  const builds = (): Map<string, string> => {
    const plan = planOfFiveBuilds();
    return new Map([...plan.keep, ...plan.delete].flatMap((entry) => ('tags' in entry ? entry.tags.map((tag): [string, string] => [tag, entry.digest]) : entry.tag ? [[entry.tag, entry.digest] as [string, string]] : [])));
  };

  describe('when nothing moved', () => {
    it('reads each manifest once before its delete and lists the tags once after the last', async () => {
      const plan = planOfFiveBuilds();
      const { target, counts } = packageTarget(builds());

      const report = await executeRetentionPlan(plan, target);

      expect(report.deleted).toHaveLength(plan.delete.length);
      expect(counts).toEqual({ tagsOf: plan.delete.length, listTags: 1, deletes: plan.delete.length });
      expect(report.lostAfter).toBeUndefined();
    });
  });

  describe('when a kept tag moved onto a manifest the plan deletes', () => {
    it('stops before that delete', async () => {
      const plan = planOfFiveBuilds();
      const tags = builds();
      tags.set('sha-5', plan.delete[1]?.digest as string);
      const { target, counts } = packageTarget(tags);

      const report = await executeRetentionPlan(plan, target);

      expect(report.deleted).toHaveLength(1);
      expect(report.stopped?.tags).toEqual(['sha-5']);
      expect(counts.deletes).toBe(1);
    });
  });

  describe('when a kept tag moves onto a manifest after its re-read', () => {
    it('fails with PartialMutationError naming the lost tag after the last delete', async () => {
      const plan = planOfFiveBuilds();
      const tags = builds();
      const last = plan.delete[plan.delete.length - 1]?.digest as string;
      const { target } = packageTarget(tags, { beforeDelete: (digest) => digest === last && tags.set('sha-4', last) });

      const error = await executeRetentionPlan(plan, target).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(PartialMutationError);
      expect((error as Error).message).toContain('tag(s) sha-4 that the plan keeps are gone after the deletions');
      const report = (error as PartialMutationError<RetentionExecutionReport>).report;
      expect(report.lostAfter).toEqual(['sha-4']);
      expect(report.deleted).toHaveLength(plan.delete.length);
    });
  });
});

describe('ghcrDeleteTarget', () => {
  describe('when a digest has a version', () => {
    it('deletes the version by id', async () => {
      const deleted: number[] = [];
      const github = {
        deletePackageVersion: async (_owner: unknown, _name: string, id: number) => {
          deleted.push(id);
        },
      };
      const target = ghcrDeleteTarget(github, { org: 'acme' }, 'app', [
        { id: 7, digest: digestOf('a'), tags: ['sha-a'], createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() },
      ]);

      expect(await target.deleteManifest(digestOf('a'))).toBe('deleted');
      expect(await target.deleteManifest(digestOf('b'))).toBe('absent');
      expect(deleted).toEqual([7]);
      expect(target.name).toBe('GHCR package acme/app');
    });
  });
});
