import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, readAccessLog, runActionYml, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';
import {
  ATTESTED_BUILDS,
  MULTI_ARCH_BUILDS,
  SIGNED_BUILDS,
  buildTag,
  exists,
  pushCiRepository,
  tagsOf,
} from './fixture.js';
import type { CiRepository } from './fixture.js';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'cleanup');

interface DeletedOutput {
  digest: string;
  tags: string[];
  rule: string;
  reason: string;
}
interface KeptOutput {
  tag?: string;
  digest: string;
  rule: string;
  reason: string;
}

describe('cleanup action', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  const repo: RepositoryReference = { registry: '', repository: 'acme/app' };
  let ci: CiRepository;
  let before: Record<string, string>;

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
    repo.registry = registry.host;
    ci = await pushCiRepository(client, repo, new Date('2026-06-01T00:00:00Z'));
    before = await tagsOf(client, repo);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  const run = (inputs: Record<string, string>) => runActionYml(action, { inputs, github: { event_name: 'schedule' } });
  const deletes = async (): Promise<string[]> =>
    (await readAccessLog(registry)).filter((entry) => entry.method === 'DELETE').map((entry) => entry.path);

  /** What keep-n 30 must delete: the 10 oldest builds, build 2's platform manifests, their signatures and referrers. */
  function expectedDeletion(): { tags: string[]; digests: string[] } {
    const old = ci.builds.slice(0, 10);
    const tags = old.map((build) => build.tag as string);
    const digests = old.map((build) => build.digest);
    for (const build of old) digests.push(...(build.children ?? []).map((child) => child.digest));
    for (const { build, artifact } of ci.cosign) {
      if (build <= 10) {
        tags.push(artifact.tag as string);
        digests.push(artifact.digest);
      }
    }
    for (const { build, referrer } of ci.referrers) {
      if (build <= 10) {
        const subject = (ci.builds[build - 1] as { digest: string }).digest;
        tags.push(subject.replace(':', '-'));
        digests.push(before[subject.replace(':', '-')] as string, referrer.digest);
      }
    }
    return { tags: tags.sort(), digests: digests.sort() };
  }

  describe('when keep-n is 30 on a repository of 40 sha builds, releases and signatures', () => {
    it('prints the plan in a dry run and deletes nothing', async () => {
      const result = await run({ image: `${registry.host}/acme/app`, 'keep-n': '30', 'dry-run': 'true' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const deleted = JSON.parse(result.outputs.deleted as string) as DeletedOutput[];
      expect(deleted.flatMap((entry) => entry.tags).sort()).toEqual(expectedDeletion().tags);
      expect(result.summary).toContain('(dry run)');
      expect(result.summary).toContain('Would delete **17** manifest(s) (14 tag(s))');
      expect(result.stdout).toContain('Plan for');
      expect(await deletes()).toEqual([]);
      expect(await tagsOf(client, repo)).toEqual(before);
    });

    it('deletes exactly the 10 oldest sha builds with their platform manifests, signatures and referrers', async () => {
      const expected = expectedDeletion();
      const result = await run({ image: `${registry.host}/acme/app`, 'keep-n': '30' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const deleted = JSON.parse(result.outputs.deleted as string) as DeletedOutput[];
      expect(deleted.map((entry) => entry.digest).sort()).toEqual(expected.digests);
      expect(deleted.flatMap((entry) => entry.tags).sort()).toEqual(expected.tags);
      // The plan is printed before the first delete.
      expect(result.stdout.indexOf('Plan for')).toBeGreaterThanOrEqual(0);
      expect(result.stdout.indexOf('Plan for')).toBeLessThan(result.stdout.indexOf('Deleted sha256:'));

      const after = await tagsOf(client, repo);
      const remaining = Object.keys(before).filter((tag) => !expected.tags.includes(tag)).sort();
      expect(Object.keys(after)).toEqual(remaining);
      for (const tag of remaining) expect(after[tag], tag).toBe(before[tag]);
      for (const digest of expected.digests) expect(await exists(client, repo, digest), digest).toBe(false);
      expect(await deletes()).toHaveLength(17);
    });

    it('leaves every kept tag pullable: manifests, platform manifests, signatures and referrers of kept images', async () => {
      for (const [tag, digest] of Object.entries(await tagsOf(client, repo))) {
        const manifest = await client.getManifest({ ...repo, tag });
        expect(manifest.digest).toBe(digest);
        const parsed = JSON.parse(new TextDecoder().decode(manifest.bytes)) as { manifests?: Array<{ digest: string }> };
        for (const child of parsed.manifests ?? []) expect(await exists(client, repo, child.digest), `${tag} → ${child.digest}`).toBe(true);
      }
      for (const i of [...SIGNED_BUILDS, ...ATTESTED_BUILDS].filter((n) => n > 10)) {
        const subject = (ci.builds[i - 1] as { digest: string }).digest;
        const kinds = [SIGNED_BUILDS.includes(i) ? 'sig' : undefined, ATTESTED_BUILDS.includes(i) ? 'att' : undefined].filter(Boolean);
        for (const kind of kinds) expect(await client.resolveDigest({ ...repo, tag: `${subject.replace(':', '-')}.${kind}` })).toBeDefined();
      }
      for (const { build, referrer } of ci.referrers.filter((r) => r.build > 10)) {
        const subject = (ci.builds[build - 1] as { digest: string }).digest;
        expect((await client.referrers(repo, subject)).map((d) => d.digest)).toEqual([referrer.digest]);
        expect(await exists(client, repo, referrer.digest)).toBe(true);
      }
      expect((await client.referrers(repo, ci.multiArch.digest)).map((d) => d.digest)).toEqual([ci.releaseReferrer.digest]);
      expect(await client.resolveDigest({ ...repo, tag: `${ci.releases['1.0.0']?.digest.replace(':', '-')}.sig` })).toBeDefined();
      for (const i of MULTI_ARCH_BUILDS.filter((n) => n > 10)) {
        for (const child of ci.builds[i - 1]?.children ?? []) expect(await exists(client, repo, child.digest)).toBe(true);
      }
    });

    it('deleted in a safe order: an index before its platform manifests, signatures and referrers before their subject', async () => {
      const order = (await deletes()).map((p) => p.split('/manifests/')[1] as string);
      const position = (digest: string): number => order.indexOf(digest);
      const index = ci.builds[MULTI_ARCH_BUILDS[0]! - 1]!;
      for (const child of index.children ?? []) expect(position(index.digest)).toBeLessThan(position(child.digest));
      for (const { build, artifact } of ci.cosign.filter((c) => c.build <= 10)) {
        expect(position(artifact.digest)).toBeLessThan(position(ci.builds[build - 1]!.digest));
      }
      for (const { build, referrer } of ci.referrers.filter((r) => r.build <= 10)) {
        const subject = ci.builds[build - 1]!.digest;
        expect(position(before[subject.replace(':', '-')] as string)).toBeLessThan(position(referrer.digest));
        expect(position(referrer.digest)).toBeLessThan(position(subject));
      }
    });

    it('reports what it kept and why in the outputs and the summary', async () => {
      const result = await run({ image: `${registry.host}/acme/app`, 'keep-n': '30', 'dry-run': 'true' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(JSON.parse(result.outputs.deleted as string)).toEqual([]);
      const kept = JSON.parse(result.outputs.kept as string) as KeptOutput[];
      const byTag = new Map(kept.filter((entry) => entry.tag).map((entry) => [entry.tag, entry]));
      expect(byTag.get('1.0.0')?.rule).toBe('protect');
      expect(byTag.get('latest')?.reason).toBe('protected: latest');
      expect(byTag.get(buildTag(11))?.reason).toBe('one of the 30 newest sha-*');
      expect(kept.filter((entry) => entry.rule === 'keep-newest')).toHaveLength(30);
      expect(result.summary).toContain('| Action | Tags | Digest | Rule | Reason |');
      expect(result.summary).toContain(`| keep | \`${buildTag(40)}\` |`);
    });
  });

  describe('when an input is bad', () => {
    it.each([
      [{ protect: 'release-(' }, 'read input protect: parse line 1 "release-(": invalid regular expression', 'e.g. v[0-9]+\\.[0-9]+\\.[0-9]+'],
      [{ 'older-than': '30x' }, 'read input older-than: parse duration "30x"', 'e.g. 30d'],
      [{ only: '[' }, 'read input only: parse regular expression "["', 'e.g. sha-[0-9a-f]+'],
      [{ 'keep-n': 'sha-*=many' }, 'read input keep-n: line "sha-*=many"', 'e.g. sha-*=30'],
      [{ 'keep-n': '0' }, 'read input keep-n: parse line 1 0: keeping none of sha-* would delete every build', 'e.g. sha-*=30'],
      [{ 'keep-n': '30', 'older-than': '0d' }, 'read input older-than: parse duration "0d": under one hour would delete builds just pushed', 'e.g. 30d'],
      [{ image: 'Not A Repo' }, 'read input image: "Not A Repo" is not a valid', 'e.g. ghcr.io/acme/app'],
      [{ mode: 'branch-deleted' }, 'read input branch: required with mode branch-deleted', 'e.g. ${{ github.event.ref }}'],
    ])('fails with %j naming the input, the problem and an example, before any request', async (bad, message, example) => {
      const requestsBefore = (await readAccessLog(registry)).length;
      const result = await run({ image: `${registry.host}/acme/app`, 'keep-n': '30', ...bad });

      expect(result.exitCode).toBe(1);
      expect(result.stdout + result.stderr).toContain(message);
      expect(result.stdout + result.stderr).toContain(example);
      expect((await readAccessLog(registry)).length).toBe(requestsBefore);
    });
  });
});
