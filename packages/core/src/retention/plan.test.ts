import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { planRetention } from './plan.js';
import { cosignTag, daysBefore, digestOf, fallbackTag } from './testing.js';
import type { RetentionInput, RetentionInventory, RetentionPlan, RetentionPolicy, RetentionTag } from './types.js';

const now = new Date('2026-06-01T00:00:00Z');

function deletedTags(plan: RetentionPlan): string[] {
  return plan.delete.flatMap((entry) => entry.tags).sort();
}

function deletedDigests(plan: RetentionPlan): string[] {
  return plan.delete.map((entry) => entry.digest).sort();
}

function keptTag(plan: RetentionPlan, tag: string) {
  return plan.keep.find((entry) => entry.tag === tag);
}

/** `count` single-manifest builds `<prefix>-0` (newest) … `<prefix>-(count-1)` (oldest), one day apart. */
function builds(prefix: string, count: number, firstAgeDays = 1): RetentionTag[] {
  return Array.from({ length: count }, (_, i) => ({
    tag: `${prefix}-${i}`,
    digest: digestOf(`${prefix}-${i}`),
    created: daysBefore(now, firstAgeDays + i),
  }));
}

function plan(inventory: RetentionInventory, policy: RetentionPolicy, extra: Partial<RetentionInput> = {}): RetentionPlan {
  return planRetention({ inventory, policy, canUntag: false, now, ...extra } as RetentionInput);
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('planRetention', () => {
  describe('when keeping the newest N of a group', () => {
    it.each([
      [1, ['sha-1', 'sha-2', 'sha-3', 'sha-4']],
      [2, ['sha-2', 'sha-3', 'sha-4']],
      [4, ['sha-4']],
      [5, []],
      [30, []],
    ])('keep %d of 5 deletes %j', (count, expected) => {
      const result = plan({ tags: builds('sha', 5) }, { keep: [{ pattern: 'sha-*', count }] });
      expect(deletedTags(result)).toEqual(expected);
      for (const entry of result.delete) expect(entry.rule).toBe('keep-newest');
    });

    it('ranks by creation time, not by the order or name of the tags', () => {
      const tags = builds('sha', 5).reverse();
      const result = plan({ tags }, { keep: [{ pattern: 'sha-*', count: 2 }] });
      expect(keptTag(result, 'sha-0')?.rule).toBe('keep-newest');
      expect(keptTag(result, 'sha-1')?.reason).toBe('one of the 2 newest sha-*');
      expect(deletedTags(result)).toEqual(['sha-2', 'sha-3', 'sha-4']);
    });

    it('puts a tag in the first group that matches it', () => {
      const tags = [...builds('sha', 3), ...builds('pr', 3)];
      const result = plan({ tags }, { keep: [{ pattern: 'sha-*', count: 1 }, { pattern: '*', count: 2 }] });
      expect(deletedTags(result)).toEqual(['pr-2', 'sha-1', 'sha-2']);
    });

    it('keeps a tag of unknown age, and says so', () => {
      const tags = [...builds('sha', 3), { tag: 'sha-9f8e7d6', digest: digestOf('sha-9f8e7d6') }];
      const result = plan({ tags }, { keep: [{ pattern: 'sha-*', count: 1 }] });
      expect(keptTag(result, 'sha-9f8e7d6')?.rule).toBe('unknown-age');
      expect(deletedTags(result)).toEqual(['sha-1', 'sha-2']);
      expect(result.warnings).toEqual(['kept 1 tag(s) whose creation time is unknown: sha-9f8e7d6']);
    });

    it('keeps tags no rule selects', () => {
      const result = plan({ tags: builds('pr', 3) }, { keep: [{ pattern: 'sha-*', count: 1 }] });
      expect(result.delete).toEqual([]);
      expect(keptTag(result, 'pr-2')?.rule).toBe('no-rule');
    });
  });

  describe('when an age limit applies', () => {
    it.each(['7d', '1w', '168h', 'P7D', 'P1W', 'PT168H'])('olderThan %j deletes the tags older than 7 days', (olderThan) => {
      // builds are 1..10 days old
      const result = plan({ tags: builds('pr', 10) }, { olderThan });
      expect(deletedTags(result)).toEqual(['pr-7', 'pr-8', 'pr-9']);
      expect(keptTag(result, 'pr-6')).toMatchObject({ rule: 'younger', reason: `not older than ${olderThan}` });
      expect(result.delete.find((entry) => entry.tags.includes('pr-7'))).toMatchObject({
        rule: 'older-than',
        reason: `pr-7: older than ${olderThan}`,
      });
    });

    it.each([
      [3, '5d', ['sha-5', 'sha-6', 'sha-7', 'sha-8', 'sha-9']],
      [7, '5d', ['sha-7', 'sha-8', 'sha-9']],
      [1, '30d', []],
    ])('keep %d newest and olderThan %j delete only tags both older and beyond the newest', (count, olderThan, expected) => {
      const result = plan({ tags: builds('sha', 10) }, { keep: [{ pattern: 'sha-*', count }], olderThan });
      expect(deletedTags(result)).toEqual(expected);
    });
  });

  describe('when tags are protected', () => {
    it.each([
      ['latest', {}],
      ['v1.2.3', {}],
      ['1.2.3-rc.1', {}],
      ['1.2', {}],
      ['v1', {}],
      ['main', { protectBranches: ['main'] }],
      ['staging', { protectBranches: ['main', 'staging'] }],
      ['keep-me', { protect: ['keep-.*'] }],
    ])('never deletes %j, however old', (tag, extra: RetentionPolicy) => {
      const tags = [{ tag, digest: digestOf(tag), created: daysBefore(now, 1000) }];
      const result = plan({ tags }, { ...extra, olderThan: '1d' });
      expect(result.delete).toEqual([]);
      expect(keptTag(result, tag)?.rule).toBe('protect');
    });

    it('deletes an unprotected tag under the same policy', () => {
      const tags = [{ tag: 'pr-7', digest: digestOf('pr-7'), created: daysBefore(now, 1000) }];
      expect(deletedTags(plan({ tags }, { olderThan: '1d' }))).toEqual(['pr-7']);
    });

    it('deletes a release tag when the defaults are off', () => {
      const tags = [{ tag: 'v1.0.0', digest: digestOf('v1.0.0'), created: daysBefore(now, 1000) }];
      expect(deletedTags(plan({ tags }, { olderThan: '1d', defaultProtect: false }))).toEqual(['v1.0.0']);
    });
  });

  describe('when only limits the policy', () => {
    it('leaves every other tag alone', () => {
      const tags = [...builds('sha', 3), ...builds('pr', 3)];
      const result = plan({ tags }, { olderThan: '1h', only: 'pr-.*' });
      expect(deletedTags(result)).toEqual(['pr-0', 'pr-1', 'pr-2']);
      expect(keptTag(result, 'sha-2')).toMatchObject({ rule: 'outside-only', reason: 'outside only pr-.*' });
    });
  });

  describe('when untagged manifests are present', () => {
    const index = digestOf('index');
    const child = digestOf('child');
    const signature = digestOf('signature');
    const referrer = digestOf('referrer');
    const loose = digestOf('loose');
    const inventory: RetentionInventory = {
      tags: [
        { tag: 'v1.0.0', digest: index, created: daysBefore(now, 90) },
        { tag: cosignTag(index, 'sig'), digest: signature, created: daysBefore(now, 90) },
      ],
      indexes: { [index]: [child] },
      referrers: [{ subjectDigest: index, digest: referrer }],
      untagged: [
        { digest: child, created: daysBefore(now, 90) },
        { digest: referrer, created: daysBefore(now, 90) },
        { digest: loose, created: daysBefore(now, 40) },
      ],
    };

    it.each<[string, RetentionPolicy, string[]]>([
      ['deleteUntagged off', {}, []],
      ['deleteUntagged on', { deleteUntagged: true }, [loose]],
      ['deleteUntagged on, older than 30d', { deleteUntagged: true, olderThan: '30d' }, [loose]],
      ['deleteUntagged on, older than 60d', { deleteUntagged: true, olderThan: '60d' }, []],
    ])('with %s deletes %j and never a child, signature or referrer of a kept index', (_what, policy, expected) => {
      const result = plan(inventory, policy);
      expect(deletedDigests(result)).toEqual(expected.sort());
      expect(result.keep).toContainEqual(
        expect.objectContaining({ digest: child, rule: 'index-child', reason: expect.stringMatching(/^child of kept sha256:/) }),
      );
      expect(result.keep).toContainEqual(expect.objectContaining({ digest: referrer, rule: 'artifact' }));
      expect(result.keep).toContainEqual(
        expect.objectContaining({ tag: cosignTag(index, 'sig'), digest: signature, rule: 'artifact' }),
      );
    });

    it('keeps an untagged manifest of unknown age when an age limit applies, with a warning', () => {
      const result = plan({ tags: [], untagged: [{ digest: loose }] }, { deleteUntagged: true, olderThan: '1d' });
      expect(result.delete).toEqual([]);
      expect(result.keep).toEqual([{ digest: loose, rule: 'unknown-age', reason: 'untagged manifest of unknown age' }]);
      expect(result.warnings[0]).toMatch(/^kept 1 untagged manifest\(s\) of unknown age/);
    });

    it('keeps signatures whose subject is not in the repository', () => {
      const gone = digestOf('gone');
      const tags = [{ tag: cosignTag(gone, 'sig'), digest: signature, created: daysBefore(now, 90) }];
      const result = plan({ tags }, { deleteUntagged: true, olderThan: '1d' });
      expect(result.delete).toEqual([]);
      expect(keptTag(result, cosignTag(gone, 'sig'))?.rule).toBe('orphan-artifact');
    });
  });

  describe('when a deletable tag shares its digest with a kept tag', () => {
    const shared = digestOf('shared');
    const tags = [
      { tag: 'v1.0.0', digest: shared, created: daysBefore(now, 50) },
      { tag: 'sha-0a1b2c3', digest: shared, created: daysBefore(now, 50) },
      { tag: cosignTag(shared, 'sig'), digest: digestOf('sig'), created: daysBefore(now, 50) },
    ];

    it('untags it where the registry can untag', () => {
      const result = plan({ tags }, { olderThan: '30d' }, { canUntag: true });
      expect(result.delete).toEqual([]);
      expect(result.untag).toEqual([
        {
          tag: 'sha-0a1b2c3',
          digest: shared,
          rule: 'older-than',
          reason: 'older than 30d; the manifest stays (tag v1.0.0 is kept: protected: release version X.Y.Z)',
        },
      ]);
      expect(result.warnings).toEqual([]);
    });

    it('keeps it with a warning where deleting means deleting the digest', () => {
      const result = plan({ tags }, { olderThan: '30d' }, { canUntag: false });
      expect(result.delete).toEqual([]);
      expect(result.untag).toEqual([]);
      expect(keptTag(result, 'sha-0a1b2c3')?.rule).toBe('shared-digest');
      expect(result.warnings).toEqual([
        `kept tag sha-0a1b2c3 (${shared.slice(0, 19)}): older than 30d, but its manifest stays (tag v1.0.0 is kept: protected: ` +
          'release version X.Y.Z) and this registry cannot remove a tag without deleting the manifest and every tag on it',
      ]);
    });

    it('keeps a tagged manifest that a kept index holds as a child', () => {
      const index = digestOf('index');
      const child = digestOf('child');
      const inventory = {
        tags: [
          { tag: 'latest', digest: index, created: daysBefore(now, 50) },
          { tag: 'sha-amd64', digest: child, created: daysBefore(now, 50) },
        ],
        indexes: { [index]: [child] },
      };
      const result = plan(inventory, { olderThan: '30d' });
      expect(result.delete).toEqual([]);
      expect(keptTag(result, 'sha-amd64')?.reason).toMatch(/^older than 30d, but the manifest stays \(child of kept sha256:/);
    });
  });

  describe('when a manifest could not be read', () => {
    it('deletes nothing and says why', () => {
      const result = plan(
        { tags: builds('sha', 5), unreadable: [digestOf('broken')] },
        { keep: [{ pattern: 'sha-*', count: 1 }], deleteUntagged: true },
        { canUntag: true },
      );
      expect(result.delete).toEqual([]);
      expect(result.untag).toEqual([]);
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatch(/^nothing deleted: 1 manifest\(s\) could not be read \(sha256:/);
      expect(result.skipped).toBe(result.warnings[0]);
    });

    it('deletes nothing when a tag is listed with two digests', () => {
      const tags = [...builds('sha', 2), { tag: 'sha-1', digest: digestOf('other'), created: now }];
      const result = plan({ tags }, { keep: [{ pattern: 'sha-*', count: 1 }] });
      expect(result.delete).toEqual([]);
      expect(result.warnings[0]).toMatch(/two different digests \(sha-1\)/);
    });
  });

  describe('when a branch was deleted', () => {
    const tags = [
      ...builds('sha', 3),
      { tag: 'feature-login', digest: digestOf('feature'), created: daysBefore(now, 1) },
      { tag: 'feature-login-sha-1a2b3c4', digest: digestOf('feature-sha'), created: daysBefore(now, 1) },
      { tag: 'feature-login-2', digest: digestOf('feature-2'), created: daysBefore(now, 1) },
      { tag: 'main', digest: digestOf('main'), created: daysBefore(now, 1) },
      { tag: cosignTag(digestOf('feature'), 'sig'), digest: digestOf('feature sig'), created: daysBefore(now, 1) },
    ];
    const inventory = { tags, untagged: [{ digest: digestOf('loose'), created: daysBefore(now, 100) }] };
    const policy = { keep: [{ pattern: '*', count: 0 }], olderThan: '1h', deleteUntagged: true, protectBranches: ['main'] };

    it.each<[string, Partial<RetentionInput>, string[]]>([
      ['feature/login', { branch: 'feature/login' }, ['feature-login', cosignTag(digestOf('feature'), 'sig')]],
      ['refs/heads/feature/login', { branch: 'refs/heads/feature/login' }, ['feature-login', cosignTag(digestOf('feature'), 'sig')]],
      [
        'feature/login with a tag pattern',
        { branch: 'feature/login', branchTagPattern: '{branch}-sha-[0-9a-f]{7}' },
        ['feature-login', 'feature-login-sha-1a2b3c4', cosignTag(digestOf('feature'), 'sig')],
      ],
      ['with an explicit branch tag', { branch: 'feature/login', branchTag: 'feature-login-2' }, ['feature-login-2']],
    ])('%s deletes only that branch tags (and their signatures): %j', (_what, extra, expected) => {
      const result = plan(inventory, policy, { mode: 'branch-deleted', ...extra } as Partial<RetentionInput>);
      expect(deletedTags(result)).toEqual(expected.sort());
      expect(keptTag(result, 'sha-2')?.rule).toBe('not-branch');
      expect(result.keep).toContainEqual(expect.objectContaining({ digest: digestOf('loose'), rule: 'untagged' }));
    });

    it('never deletes a protected branch tag', () => {
      const result = plan(inventory, policy, { mode: 'branch-deleted', branch: 'main' });
      expect(result.delete).toEqual([]);
      expect(result.warnings).toEqual(['kept tag main of deleted branch main: it is protected (branch main)']);
    });

    it('says when the branch has no tag', () => {
      const result = plan(inventory, policy, { mode: 'branch-deleted', branch: 'nope' });
      expect(result.delete).toEqual([]);
      expect(result.warnings).toEqual(['no tag of deleted branch nope (tag nope) in the repository']);
    });
  });

  describe('when a git tag was deleted', () => {
    it('returns an empty plan with the reason', () => {
      const result = plan(
        { tags: [{ tag: 'v1.0.0', digest: digestOf('v1'), created: daysBefore(now, 100) }] },
        { defaultProtect: false, olderThan: '1d' },
        { mode: 'tag-deleted', tag: 'v1.0.0' },
      );
      expect(result).toEqual({
        keep: [],
        delete: [],
        untag: [],
        warnings: [],
        skipped: 'deleting git tag v1.0.0 never deletes a release image',
      });
    });
  });

  describe('when the repository holds 40 sha builds, releases, multi-arch indexes and signatures', () => {
    // sha builds: multi-arch indexes with two untagged children and a legacy signature; build i is 40-i days old.
    const shaIndex = (i: number) => digestOf(`build ${i}`);
    const shaTag = (i: number) => `sha-${shaIndex(i).slice(7, 14)}`;
    const shaChildren = (i: number) => [digestOf(`build ${i} amd64`), digestOf(`build ${i} arm64`)];
    const shaSignature = (i: number) => digestOf(`build ${i} signature`);
    const release = digestOf('release 1.0.0');
    const releaseChildren = [digestOf('release amd64'), digestOf('release arm64')];
    const oldRelease = digestOf('release 0.9.0');
    const releaseFallback = digestOf('release fallback index');
    const releaseSbom = digestOf('release sbom');
    const build3Fallback = digestOf('build 3 fallback index');
    const build3Provenance = digestOf('build 3 provenance');

    function inventory(): RetentionInventory {
      const tags: RetentionTag[] = [];
      const untagged: Array<{ digest: string; created?: Date }> = [];
      const indexes: Record<string, string[]> = {};
      // interleaved input order: creation time decides, not the listing
      for (const i of Array.from({ length: 40 }, (_, k) => (k * 17) % 40)) {
        const created = daysBefore(now, 40 - i);
        tags.push({ tag: shaTag(i), digest: shaIndex(i), created });
        tags.push({ tag: cosignTag(shaIndex(i), 'sig'), digest: shaSignature(i), created });
        indexes[shaIndex(i)] = shaChildren(i);
        for (const child of shaChildren(i)) untagged.push({ digest: child, created });
      }
      const old = daysBefore(now, 300);
      for (const tag of ['latest', 'v1.0.0', '1.0', '1']) tags.push({ tag, digest: release, created: old });
      tags.push({ tag: cosignTag(release, 'sig'), digest: digestOf('release signature'), created: old });
      tags.push({ tag: cosignTag(release, 'att'), digest: digestOf('release attestation'), created: old });
      tags.push({ tag: fallbackTag(release), digest: releaseFallback, created: old });
      tags.push({ tag: 'v0.9.0', digest: oldRelease, created: daysBefore(now, 400) });
      tags.push({ tag: cosignTag(oldRelease, 'sig'), digest: digestOf('release 0.9.0 signature'), created: old });
      tags.push({ tag: 'main', digest: shaIndex(39), created: daysBefore(now, 1) });
      tags.push({ tag: fallbackTag(shaIndex(3)), digest: build3Fallback, created: daysBefore(now, 37) });
      indexes[release] = releaseChildren;
      indexes[releaseFallback] = [releaseSbom];
      indexes[build3Fallback] = [build3Provenance];
      for (const child of [...releaseChildren, releaseSbom, build3Provenance]) untagged.push({ digest: child, created: old });
      return {
        tags,
        untagged,
        indexes,
        referrers: [
          { subjectDigest: release, digest: releaseSbom, artifactType: 'application/spdx+json' },
          { subjectDigest: shaIndex(3), digest: build3Provenance, artifactType: 'application/vnd.in-toto+json' },
        ],
        unreadable: [],
      };
    }

    const oldest = Array.from({ length: 10 }, (_, i) => i);

    it.each([
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ])('keep 30 (canUntag %s, deleteUntagged %s) deletes exactly the 10 oldest builds with their signatures', (canUntag, deleteUntagged) => {
      const result = plan(
        inventory(),
        { keep: [{ pattern: 'sha-*', count: 30 }], protectBranches: ['main'], deleteUntagged },
        { canUntag },
      );

      expect(deletedTags(result)).toEqual(
        [...oldest.flatMap((i) => [shaTag(i), cosignTag(shaIndex(i), 'sig')]), fallbackTag(shaIndex(3))].sort(),
      );
      expect(deletedDigests(result)).toEqual(
        [
          ...oldest.flatMap((i) => [shaIndex(i), ...shaChildren(i), shaSignature(i)]),
          build3Fallback,
          build3Provenance,
        ].sort(),
      );
      expect(result.untag).toEqual([]);
      expect(result.warnings).toEqual([]);
      for (const tag of ['latest', 'v1.0.0', '1.0', '1', 'v0.9.0', 'main']) expect(keptTag(result, tag)?.rule).toBe('protect');
      for (let i = 10; i < 40; i++) expect(keptTag(result, shaTag(i))?.rule).toBe('keep-newest');
      expect(keptTag(result, fallbackTag(release))?.reason).toBe(`referrers fallback index of kept ${release.slice(0, 19)}`);
    });

    it('deletes a signature before its subject and an index before its children', () => {
      const result = plan(inventory(), { keep: [{ pattern: 'sha-*', count: 30 }] });
      const position = (digest: string) => result.delete.findIndex((entry) => entry.digest === digest);
      for (const i of oldest) {
        expect(position(shaSignature(i))).toBeLessThan(position(shaIndex(i)));
        for (const child of shaChildren(i)) expect(position(shaIndex(i))).toBeLessThan(position(child));
      }
      expect(position(build3Fallback)).toBeLessThan(position(build3Provenance));
      expect(position(build3Provenance)).toBeLessThan(position(shaIndex(3)));
      expect(result.delete.find((entry) => entry.digest === shaChildren(0)[0])).toEqual({
        digest: shaChildren(0)[0],
        tags: [],
        rule: 'index-child',
        reason: `child of deleted ${shaIndex(0).slice(0, 19)}`,
      });
      expect(result.delete.find((entry) => entry.digest === shaIndex(0))).toEqual({
        digest: shaIndex(0),
        tags: [shaTag(0)],
        rule: 'keep-newest',
        reason: `${shaTag(0)}: not among the 30 newest sha-*`,
      });
    });

    it('is deterministic and leaves its input alone', () => {
      const input = inventory();
      const snapshot = structuredClone(input);
      const first = plan(input, { keep: [{ pattern: 'sha-*', count: 30 }] });
      expect(plan(input, { keep: [{ pattern: 'sha-*', count: 30 }] })).toEqual(first);
      expect(input).toEqual(snapshot);
    });
  });

  describe('when the input is wrong', () => {
    it.each<[string, Partial<RetentionInput>, RegExp]>([
      ['an invalid protect regex', { policy: { protect: ['[a-'] } }, /^parse protect\[0\] "\[a-": invalid regular expression/],
      ['a bad duration', { policy: { olderThan: '30 days' } }, /^parse olderThan "30 days": /],
      ['a missing branch', { mode: 'branch-deleted', branch: '' } as Partial<RetentionInput>, /^parse branch "": empty branch name/],
      ['an unknown mode', { mode: 'weekly' } as unknown as Partial<RetentionInput>, /^parse mode "weekly": expected scheduled/],
      ['a bad branch tag pattern', { mode: 'branch-deleted', branch: 'x', branchTagPattern: '{branch}(' } as Partial<RetentionInput>, /^parse branchTagPattern /],
      ['an invalid now', { now: new Date(Number.NaN) }, /^plan retention now "Invalid Date": not a valid date/],
    ])('throws a ConfigurationError for %s', (_what, extra, message) => {
      const error = thrown(() =>
        planRetention({ inventory: { tags: builds('sha', 2) }, policy: {}, canUntag: false, now, ...extra } as RetentionInput),
      );
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toMatch(message);
    });
  });
});

describe('planRetention (issue 11: unsafe defaults)', () => {
  /**
   * The repository of the report: 5 builds (`sha-*`, 40 to 44 days old), `prod` on the oldest build (which
   * carries no release tag), its rollback history `prod-*` and a rollback audit tag, `1.0.0` on a build.
   */
  const old = (days: number) => daysBefore(now, days);
  const repository: RetentionTag[] = [
    ...Array.from({ length: 5 }, (_, i) => ({ tag: `sha-${i}a${i}b${i}c${i}`, digest: digestOf(`build ${i}`), created: old(40 + i) })),
    { tag: 'prod', digest: digestOf('build 4'), created: old(44) },
    { tag: 'prod-20260410-4a4b4c4', digest: digestOf('build 4'), created: old(44) },
    { tag: 'prod-20260405-3a3b3c3', digest: digestOf('build 3'), created: old(43) },
    { tag: 'prod-rollback-20260407-101500-from-3a3b3c3', digest: digestOf('build 3'), created: old(43) },
    { tag: 'staging', digest: digestOf('build 7'), created: old(60) },
    { tag: '1.0.0', digest: digestOf('build 0'), created: old(40) },
    { tag: 'sha-7a7b7c7', digest: digestOf('build 7'), created: old(60) },
  ];

  it('older-than: 30d alone keeps prod, staging and the prod-* history (it deleted them before)', () => {
    const result = plan({ tags: repository }, { olderThan: '30d' });
    expect(deletedTags(result)).toEqual(['sha-1a1b1c1', 'sha-2a2b2c2']);
    expect(keptTag(result, 'prod')).toMatchObject({ digest: digestOf('build 4'), rule: 'channel' });
    expect(keptTag(result, 'staging')?.rule).toBe('channel');
    expect(keptTag(result, 'prod-20260410-4a4b4c4')?.rule).toBe('rollback-history');
    expect(keptTag(result, 'prod-20260405-3a3b3c3')?.rule).toBe('rollback-history');
    expect(keptTag(result, 'prod-rollback-20260407-101500-from-3a3b3c3')?.rule).toBe('rollback-history');
    // The builds under prod and its history stay: their sha-* tags are kept with a warning.
    expect(keptTag(result, 'sha-4a4b4c4')?.rule).toBe('shared-digest');
    expect(keptTag(result, 'sha-3a3b3c3')?.rule).toBe('shared-digest');
  });

  it('keeps only the newest historyKeep stamps of prod', () => {
    const result = plan({ tags: repository }, { olderThan: '30d', historyKeep: 1 });
    expect(keptTag(result, 'prod-20260410-4a4b4c4')?.reason).toBe('one of the 1 newest rollback history stamps of prod');
    expect(deletedTags(result)).toEqual(['sha-1a1b1c1', 'sha-2a2b2c2']);
    expect(keptTag(result, 'prod-20260405-3a3b3c3')?.rule).toBe('shared-digest'); // its build carries the audit tag
  });

  it('deletes prod and its history only when only names them', () => {
    const result = plan({ tags: repository }, { olderThan: '30d', only: 'prod.*|sha-.*' });
    expect(deletedTags(result)).toEqual(
      ['prod', 'prod-20260405-3a3b3c3', 'prod-20260410-4a4b4c4', 'prod-rollback-20260407-101500-from-3a3b3c3',
        'sha-1a1b1c1', 'sha-2a2b2c2', 'sha-3a3b3c3', 'sha-4a4b4c4'].sort(),
    );
    expect(keptTag(result, 'staging')?.rule).toBe('outside-only');
  });

  it.each<[string, RetentionPolicy, RegExp]>([
    ['keep-n: 0 (it deleted every build)', { keep: [{ pattern: 'sha-*', count: 0 }] }, /^parse keep\[0\]\.count 0: keeping none of sha-\* would delete every build/],
    ['older-than: 0d (it deleted 7 of 8 manifests)', { olderThan: '0d' }, /^parse olderThan "0d": under one hour/],
  ])('refuses %s before planning anything', (_what, policy, message) => {
    const error = thrown(() => plan({ tags: repository }, policy));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(message);
  });

  it('still deletes every tag of a deleted branch with keep 0 (the mode names what goes)', () => {
    const tags = [{ tag: 'feature-x', digest: digestOf('fx'), created: now }, ...repository];
    const result = plan({ tags }, { keep: [{ pattern: '*', count: 0 }], olderThan: '0d' }, { mode: 'branch-deleted', branch: 'feature/x' });
    expect(deletedTags(result)).toEqual(['feature-x']);
  });
});
