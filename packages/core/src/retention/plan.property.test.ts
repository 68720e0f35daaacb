import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRetention } from './plan.js';
import { cosignTag, daysBefore, digestOf, fallbackTag } from './testing.js';
import type { RetentionInput, RetentionInventory, RetentionPlan, RetentionPolicy, RetentionTag } from './types.js';

/**
 * Property-based tests: random small repositories (tags, shared digests, indexes with children,
 * legacy signatures, referrers, fallback indexes, unreadable manifests) under random policies and
 * modes. Every invariant is checked against the input, not against the planner's own reasoning.
 */

const now = new Date('2026-06-01T00:00:00Z');
const POOL = 10;
const digests = Array.from({ length: POOL }, (_, i) => digestOf(`manifest ${i}`));
const TAG_NAMES = [
  'latest',
  'v1.2.3',
  'v2.0.0-rc.1',
  '1.2',
  '1',
  'main',
  'staging',
  'feature-x',
  'sha-1a',
  'sha-2b',
  'sha-3c',
  'sha-4d',
  'pr-1',
  'pr-2',
  'edge',
  'stable',
  // a channel tag and its rollback history (stamps and an audit tag)
  'prod',
  'prod-20260101-1a2b3c4',
  'prod-20260301-5d6e7f8',
  'prod-20260401-101500-9a8b7c6',
  'prod-20260501-0a0b0c0',
  'prod-rollback-20260402-101500-from-5d6e7f8',
  'staging-20260201-1a2b3c4',
];
/** The channel tags among TAG_NAMES (they name no version, commit or date), listed by hand. */
const CHANNELS = new Set(['latest', 'main', 'staging', 'feature-x', 'edge', 'stable', 'prod']);
const AUDIT_TAGS = new Set(['prod-rollback-20260402-101500-from-5d6e7f8']);
/** Rollback history stamps by track, newest first. */
const HISTORY: Record<string, string[]> = {
  prod: ['prod-20260501-0a0b0c0', 'prod-20260401-101500-9a8b7c6', 'prod-20260301-5d6e7f8', 'prod-20260101-1a2b3c4'],
  staging: ['staging-20260201-1a2b3c4'],
};
const DURATIONS: Record<string, number> = { '1d': 1, '2w': 14, '12h': 0.5, P3D: 3, PT36H: 1.5 };
const ARTIFACT = /^sha256-([0-9a-f]{64})(?:\.(sig|att|sbom))?$/;

const index = fc.integer({ min: 0, max: POOL - 1 });
const age = fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined, freq: 8 });

const inventoryArb = fc
  .record({
    tags: fc.uniqueArray(fc.record({ tag: fc.constantFrom(...TAG_NAMES), digest: index, age }), {
      selector: (t) => t.tag,
      maxLength: 12,
    }),
    artifacts: fc.uniqueArray(
      fc.record({ subject: index, digest: index, kind: fc.constantFrom('sig', 'att', 'sbom', 'fallback'), age }),
      { selector: (a) => `${a.subject} ${a.kind}`, maxLength: 4 },
    ),
    untagged: fc.uniqueArray(fc.record({ digest: index, age }), { selector: (u) => u.digest, maxLength: 5 }),
    indexes: fc.array(fc.record({ index, children: fc.uniqueArray(index, { maxLength: 3 }) }), { maxLength: 4 }),
    referrers: fc.array(fc.record({ subject: index, digest: index }), { maxLength: 3 }),
    unreadable: fc.oneof(
      { weight: 6, arbitrary: fc.constant<number[]>([]) },
      { weight: 1, arbitrary: fc.array(index, { minLength: 1, maxLength: 2 }) },
    ),
  })
  .map(({ tags, artifacts, untagged, indexes, referrers, unreadable }): RetentionInventory => {
    const created = (days: number | undefined) => (days === undefined ? undefined : daysBefore(now, days));
    const all: RetentionTag[] = tags.map((t) => withCreated({ tag: t.tag, digest: digests[t.digest] as string }, created(t.age)));
    for (const a of artifacts) {
      const subject = digests[a.subject] as string;
      const tag = a.kind === 'fallback' ? fallbackTag(subject) : cosignTag(subject, a.kind as 'sig' | 'att' | 'sbom');
      all.push(withCreated({ tag, digest: digests[a.digest] as string }, created(a.age)));
    }
    return {
      tags: all,
      untagged: untagged.map((u) => withCreated({ digest: digests[u.digest] as string }, created(u.age))),
      indexes: Object.fromEntries(indexes.map((i) => [digests[i.index] as string, i.children.map((c) => digests[c] as string)])),
      referrers: referrers.map((r) => ({ subjectDigest: digests[r.subject] as string, digest: digests[r.digest] as string })),
      unreadable: unreadable.map((u) => digests[u] as string),
    };
  });

const policyArb: fc.Arbitrary<RetentionPolicy> = fc.record(
  {
    protect: fc.subarray(['stable', 'edge', 'sha-1a|pr-1', 'feature-.*']),
    defaultProtect: fc.boolean(),
    protectBranches: fc.subarray(['main', 'staging']),
    keep: fc.array(
      // 0 is refused in a scheduled run (see 'when a policy would delete every build').
      fc.record({ pattern: fc.constantFrom('sha-*', 'pr-*', '*', 'v*', 'prod-*'), count: fc.integer({ min: 1, max: 3 }) }),
      { maxLength: 2 },
    ),
    olderThan: fc.constantFrom(...Object.keys(DURATIONS)),
    deleteUntagged: fc.boolean(),
    only: fc.constantFrom('sha-.*', 'pr-.*|edge', '.*', 'prod.*'),
    historyKeep: fc.integer({ min: 1, max: 3 }),
  },
  { requiredKeys: [] },
);

type Mode = Pick<RetentionInput, 'mode'> & { branch?: string; tag?: string };
const modeArb: fc.Arbitrary<Mode> = fc.oneof(
  fc.constant({}),
  fc.constant({ mode: 'scheduled' as const }),
  fc.record({ mode: fc.constant('branch-deleted' as const), branch: fc.constantFrom('feature/x', 'main', 'nope', 'sha-1a', 'refs/heads/pr-1', 'prod') }),
  fc.constant({ mode: 'tag-deleted' as const, tag: 'v1.2.3' }),
);

const inputArb = fc.record({ inventory: inventoryArb, policy: policyArb, mode: modeArb, canUntag: fc.boolean() });

function withCreated<T extends object>(value: T, created: Date | undefined): T & { created?: Date } {
  return created === undefined ? value : { ...value, created };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The relations the invariants speak about, read straight from the inventory. */
function relations(inventory: RetentionInventory) {
  const universe = new Set<string>();
  for (const t of inventory.tags) universe.add(t.digest);
  for (const u of inventory.untagged ?? []) universe.add(u.digest);
  for (const [i, children] of Object.entries(inventory.indexes ?? {})) {
    universe.add(i);
    for (const c of children) universe.add(c);
  }
  for (const r of inventory.referrers ?? []) universe.add(r.digest);
  /** [holder, held]: an index and its child, a subject and its signature/attestation/referrer/fallback index. */
  const children: Array<[string, string]> = [];
  const artifacts: Array<[string, string]> = [];
  for (const [i, list] of Object.entries(inventory.indexes ?? {})) for (const c of list) children.push([i, c]);
  for (const r of inventory.referrers ?? []) artifacts.push([r.subjectDigest, r.digest]);
  const ordinary: RetentionTag[] = [];
  for (const t of inventory.tags) {
    const artifact = ARTIFACT.exec(t.tag);
    if (artifact) artifacts.push([`sha256:${artifact[1] ?? ''}`, t.digest]);
    else ordinary.push(t);
  }
  return { universe, children, artifacts, ordinary };
}

function isProtected(policy: RetentionPolicy, tag: string): boolean {
  const defaults =
    policy.defaultProtect !== false &&
    (tag === 'latest' || /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/.test(tag) || /^v?\d+(?:\.\d+)?$/.test(tag));
  return (
    defaults ||
    (policy.protectBranches ?? []).includes(tag) ||
    (policy.protect ?? []).some((p) => new RegExp(`^(?:${p})$`).test(tag))
  );
}

function inOnly(policy: RetentionPolicy, tag: string): boolean {
  return policy.only === undefined || new RegExp(`^(?:${policy.only})$`).test(tag);
}

function globMatches(pattern: string, tag: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*')}$`).test(tag);
}

function makeInput(value: { inventory: RetentionInventory; policy: RetentionPolicy; mode: Mode; canUntag: boolean }) {
  return deepFreeze({ ...value.mode, inventory: value.inventory, policy: value.policy, canUntag: value.canUntag, now } as RetentionInput);
}

/** Every tag the plan removes (deleted with its manifest, or untagged). */
function removedTags(plan: RetentionPlan): Set<string> {
  return new Set([...plan.delete.flatMap((d) => d.tags), ...plan.untag.map((u) => u.tag)]);
}

const NUM_RUNS = 10_000;

type Relations = ReturnType<typeof relations>;
type Check = (input: RetentionInput, plan: RetentionPlan, rel: Relations) => void;

/** A cheap assertion for the hot loops (vitest's expect is slow over 10 000 runs). */
function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** One check per invariant; each throws (via expect) with a message naming what broke. */
const invariants: Record<string, Check> = {
  'every tag is accounted for exactly once, with the digest it resolves to': (input, plan, rel) => {
    if (plan.skipped !== undefined) return;
    const seen = new Map<string, string>();
    const note = (tag: string, digest: string) => {
      ensure(!(seen.has(tag)), `tag ${tag} appears twice`);
      seen.set(tag, digest);
    };
    for (const k of plan.keep) if (k.tag !== undefined) note(k.tag, k.digest);
    for (const u of plan.untag) note(u.tag, u.digest);
    for (const d of plan.delete) for (const tag of d.tags) note(tag, d.digest);
    ensure(seen.size === input.inventory.tags.length, `${input.inventory.tags.length - seen.size} tag(s) missing from the plan`);
    for (const t of input.inventory.tags) ensure(seen.get(t.tag) === t.digest, `tag ${t.tag} planned with another digest`);
    ensure(new Set(plan.delete.map((d) => d.digest)).size === plan.delete.length, 'a digest is deleted twice');
  },

  'a protected, out-of-scope or kept tag is never removed and its digest never deleted': (input, plan, rel) => {
    const deleted = new Set(plan.delete.map((d) => d.digest));
    const removed = removedTags(plan);
    for (const t of rel.ordinary) {
      if (isProtected(input.policy, t.tag) || !inOnly(input.policy, t.tag)) {
        ensure(!(removed.has(t.tag)), `protected tag ${t.tag} removed`);
        ensure(!(deleted.has(t.digest)), `digest of protected tag ${t.tag} deleted`);
      }
    }
    for (const k of plan.keep) ensure(!(deleted.has(k.digest)), `kept ${k.tag ?? k.digest} deleted`);
    for (const u of plan.untag) ensure(!(deleted.has(u.digest)), `untagged ${u.tag} but deleted its digest`);
  },

  'the children of an index that stays are never deleted': (input, plan, rel) => {
    const deleted = new Set(plan.delete.map((d) => d.digest));
    for (const [parent, child] of rel.children) {
      if (!deleted.has(parent)) ensure(!(deleted.has(child)), `child ${child} of kept index ${parent} deleted`);
    }
  },

  'signatures and attestations of what stays stay; those of what goes go with it': (input, plan, rel) => {
    const deleted = new Set(plan.delete.map((d) => d.digest));
    const { children, artifacts, ordinary } = rel;
    const keptTags = new Set(plan.keep.filter((k) => k.tag !== undefined && k.rule !== 'shared-digest').map((k) => k.tag));
    for (const [subject, artifact] of artifacts) {
      if (subject === artifact) continue;
      if (!deleted.has(subject)) {
        ensure(!(deleted.has(artifact)), `artifact ${artifact} of kept ${subject} deleted`);
        continue;
      }
      const held =
        ordinary.some((t) => t.digest === artifact && keptTags.has(t.tag)) ||
        children.some(([p, c]) => c === artifact && !deleted.has(p)) ||
        artifacts.some(([s, a]) => a === artifact && !deleted.has(s));
      if (!held) ensure(deleted.has(artifact), `artifact ${artifact} of deleted ${subject} left behind`);
    }
  },

  'a deletable tag on a kept digest is untagged where the registry can, else kept with a warning': (input, plan, rel) => {
    if (!input.canUntag) ensure(plan.untag.length === 0, 'untag planned on a registry that cannot untag');
    const ordinaryTags = new Set(rel.ordinary.map((t) => t.tag));
    for (const u of plan.untag) ensure(ordinaryTags.has(u.tag), `untag of artifact tag ${u.tag}`);
    const shared = plan.keep.filter((k) => k.rule === 'shared-digest');
    if (input.canUntag) ensure(shared.length === 0, 'kept a shared tag although the registry can untag');
    for (const k of shared) {
      ensure(plan.warnings.some((w) => w.startsWith(`kept tag ${k.tag ?? ''} `)), `no warning for ${k.tag}`);
    }
  },

  'nothing is deleted when a manifest could not be read': (input, plan, rel) => {
    if ((input.inventory.unreadable ?? []).length === 0) return;
    expect(plan.delete).toEqual([]);
    expect(plan.untag).toEqual([]);
    expect(plan.skipped).toBeDefined();
    if (input.mode !== 'tag-deleted') expect(plan.warnings.length).toBeGreaterThan(0);
  },

  'nothing is deleted without a cause': (input, plan, rel) => {
    const deleted = new Set(plan.delete.map((d) => d.digest));
    const { children, artifacts, ordinary } = rel;
    const scheduled = input.mode === undefined || input.mode === 'scheduled';
    for (const d of plan.delete) {
      const own = ordinary.filter((t) => t.digest === d.digest);
      const dependant =
        children.some(([p, c]) => c === d.digest && deleted.has(p)) || artifacts.some(([s, a]) => a === d.digest && deleted.has(s));
      const untaggedRoot =
        own.length === 0 && !children.some(([, c]) => c === d.digest) && !artifacts.some(([, a]) => a === d.digest);
      if (own.length > 0) continue; // its tags are all removed (checked by the first invariant)
      if (untaggedRoot) ensure(scheduled && input.policy.deleteUntagged === true, `untagged ${d.digest} deleted`);
      else ensure(dependant, `${d.digest} deleted without cause`);
    }
  },

  'an index is deleted before its children and an artifact before its subject': (input, plan, rel) => {
    const position = new Map(plan.delete.map((d, i) => [d.digest, i]));
    const { children, artifacts } = rel;
    // [first, second]: first must be deleted before second
    const edges: Array<[string, string]> = [
      ...children.map(([p, c]): [string, string] => [p, c]),
      ...artifacts.map(([s, a]): [string, string] => [a, s]),
    ].filter(([a, b]) => a !== b && position.has(a) && position.has(b));
    const reaches = (from: string, to: string): boolean => {
      const seen = new Set<string>([from]);
      const queue = [from];
      while (queue.length > 0) {
        const at = queue.shift() as string;
        if (at === to) return true;
        for (const [a, b] of edges) {
          if (a === at && !seen.has(b)) {
            seen.add(b);
            queue.push(b);
          }
        }
      }
      return false;
    };
    for (const [first, second] of edges) {
      if (reaches(second, first)) continue; // a cycle (only in a malformed inventory): no order satisfies it
      ensure((position.get(first) as number) < (position.get(second) as number), `${first} must go before ${second}`);
    }
  },

  'a scheduled run removes only tags older than olderThan and never one of the newest N of its group': (input, plan, rel) => {
    if (input.mode !== undefined && input.mode !== 'scheduled') return;
    const removed = removedTags(plan);
    const { ordinary } = rel;
    const days = input.policy.olderThan === undefined ? undefined : DURATIONS[input.policy.olderThan];
    const eligible = ordinary.filter((t) => inOnly(input.policy, t.tag) && !isProtected(input.policy, t.tag));
    const groupOf = (tag: string) => (input.policy.keep ?? []).find((g) => globMatches(g.pattern, tag));
    for (const t of ordinary) {
      if (!removed.has(t.tag)) continue;
      expect(t.created, `${t.tag} of unknown age removed`).toBeDefined();
      const time = (t.created as Date).getTime();
      if (days !== undefined) expect(time, `${t.tag} is too young`).toBeLessThan(now.getTime() - days * 86_400_000);
      const group = groupOf(t.tag);
      if (group) {
        const newer = eligible.filter(
          (o) => o.tag !== t.tag && groupOf(o.tag) === group && o.created !== undefined && o.created.getTime() >= time,
        );
        expect(newer.length, `${t.tag} removed within the ${group.count} newest ${group.pattern}`).toBeGreaterThanOrEqual(
          group.count,
        );
      } else {
        expect(days, `${t.tag} removed by no rule`).toBeDefined();
      }
    }
  },

  'without only, a scheduled run never removes a channel tag or a rollback audit tag': (input, plan, rel) => {
    if ((input.mode !== undefined && input.mode !== 'scheduled') || input.policy.only !== undefined) return;
    const deleted = new Set(plan.delete.map((d) => d.digest));
    const removed = removedTags(plan);
    for (const t of rel.ordinary) {
      if (!CHANNELS.has(t.tag) && !AUDIT_TAGS.has(t.tag)) continue;
      ensure(!removed.has(t.tag), `channel or audit tag ${t.tag} removed without only`);
      ensure(!deleted.has(t.digest), `digest of channel or audit tag ${t.tag} deleted without only`);
    }
  },

  'without only, the newest historyKeep stamps of each channel tag present stay': (input, plan, rel) => {
    if ((input.mode !== undefined && input.mode !== 'scheduled') || input.policy.only !== undefined) return;
    const removed = removedTags(plan);
    const present = new Set(rel.ordinary.map((t) => t.tag));
    const keep = input.policy.historyKeep ?? 10;
    for (const [track, stamps] of Object.entries(HISTORY)) {
      if (!present.has(track)) continue;
      for (const stamp of stamps.filter((tag) => present.has(tag)).slice(0, keep)) {
        ensure(!removed.has(stamp), `history stamp ${stamp} of ${track} removed (one of the ${keep} newest)`);
      }
    }
  },

  'a deleted branch loses only its own tags': (input, plan, rel) => {
    if (input.mode !== 'branch-deleted') return;
    const branchTag = input.branch.replace(/^refs\/heads\//, '').replace(/[^A-Za-z0-9._-]+/g, '-');
    const ordinaryTags = new Set(rel.ordinary.map((t) => t.tag));
    for (const tag of removedTags(plan)) if (ordinaryTags.has(tag)) expect(tag).toBe(branchTag);
  },

  'a deleted git tag changes nothing and says why': (input, plan, rel) => {
    if (input.mode !== 'tag-deleted') return;
    expect(plan).toMatchObject({ keep: [], delete: [], untag: [] });
    expect(plan.skipped).toMatch(/never deletes a release image/);
  },
};

function checkAll(input: RetentionInput, plan: RetentionPlan): void {
  const rel = relations(input.inventory);
  for (const [name, check] of Object.entries(invariants)) {
    try {
      check(input, plan, rel);
    } catch (error) {
      throw new Error(`invariant broken: ${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

describe('planRetention (properties)', () => {
  describe('when given any repository, policy and mode', () => {
    it(`holds every invariant for ${NUM_RUNS} random repositories`, { timeout: 120_000 }, () => {
      fc.assert(
        fc.property(inputArb, (value) => {
          const input = makeInput(value); // deep-frozen: a write to the input would throw
          checkAll(input, planRetention(input));
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('is deterministic', () => {
      fc.assert(
        fc.property(inputArb, (value) => {
          const input = makeInput(value);
          expect(planRetention(input)).toEqual(planRetention(input));
        }),
        { numRuns: 500 },
      );
    });
  });

  describe.each([
    ['a branch was deleted', { mode: 'branch-deleted' as const, branch: 'feature/x' }],
    ['a branch named like a protected tag was deleted', { mode: 'branch-deleted' as const, branch: 'main' }],
    ['a git tag was deleted', { mode: 'tag-deleted' as const, tag: 'v1.2.3' }],
    ['a manifest could not be read', undefined],
  ])('when %s', (_what, mode) => {
    it('holds every invariant', () => {
      const arb =
        mode === undefined
          ? inputArb.map((v) => ({ ...v, inventory: { ...v.inventory, unreadable: [digests[0] as string] } }))
          : inputArb.map((v) => ({ ...v, mode }));
      fc.assert(
        fc.property(arb, (value) => {
          const input = makeInput(value);
          checkAll(input, planRetention(input));
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('when a policy would delete every build', () => {
    it('refuses a keep count of 0 and an olderThan under one hour in a scheduled run, and plans them after a branch deletion', () => {
      const unsafe = fc.oneof(
        fc.record({ keep: fc.constant([{ pattern: 'sha-*', count: 0 }]) }),
        fc.record({ olderThan: fc.constantFrom('0d', '0h', 'PT59M', 'PT0S') }),
      );
      fc.assert(
        fc.property(inputArb, unsafe, (value, policy) => {
          const scheduled = makeInput({ ...value, mode: {}, policy });
          expect(() => planRetention(scheduled)).toThrow(/^parse (keep\[0\]\.count 0|olderThan ".*"): /);
          const branch = makeInput({ ...value, mode: { mode: 'branch-deleted', branch: 'feature/x' }, policy });
          checkAll(branch, planRetention(branch));
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when a plan breaks an invariant', () => {
    // Guards against vacuous checks: each invariant must reject a plan sabotaged against it.
    const d = (i: number) => digests[i] as string;
    const old = daysBefore(now, 100);
    const inventory: RetentionInventory = {
      tags: [
        { tag: 'latest', digest: d(0), created: old },
        { tag: cosignTag(d(0), 'sig'), digest: d(1), created: old },
        { tag: 'sha-0a1b2c3', digest: d(3), created: old },
        { tag: cosignTag(d(3), 'sig'), digest: d(4), created: old },
        { tag: 'sha-9f9f9f9', digest: d(6), created: now },
        { tag: 'pr-1', digest: d(7), created: old },
      ],
      indexes: { [d(0)]: [d(2)] },
      untagged: [{ digest: d(2) }, { digest: d(5), created: old }],
    };
    const base = { inventory, policy: { keep: [{ pattern: 'sha-*', count: 1 }] }, mode: {}, canUntag: false };
    const entry = (digest: string) => ({
      digest,
      tags: inventory.tags.filter((t) => t.digest === digest).map((t) => t.tag),
      rule: 'keep-newest' as const,
      reason: 'sabotage',
    });
    const without = (plan: RetentionPlan, digest: string) => ({
      ...plan,
      keep: plan.keep.filter((k) => k.digest !== digest),
      delete: [...plan.delete, entry(digest)],
    });

    it.each<[string, Partial<typeof base> | undefined, (plan: RetentionPlan) => RetentionPlan]>([
      ['every tag is accounted for exactly once, with the digest it resolves to', undefined, (p) => ({ ...p, keep: p.keep.slice(1) })],
      ['a protected, out-of-scope or kept tag is never removed and its digest never deleted', undefined, (p) => without(p, d(0))],
      ['the children of an index that stays are never deleted', undefined, (p) => without(p, d(2))],
      ['signatures and attestations of what stays stay; those of what goes go with it', undefined, (p) => without(p, d(1))],
      [
        'signatures and attestations of what stays stay; those of what goes go with it',
        undefined,
        (p) => ({ ...p, delete: p.delete.filter((e) => e.digest !== d(4)), keep: [...p.keep, { digest: d(4), rule: 'artifact', reason: 'x' }] }),
      ],
      [
        'a deletable tag on a kept digest is untagged where the registry can, else kept with a warning',
        undefined,
        (p) => ({ ...p, untag: [{ tag: 'pr-1', digest: d(7), rule: 'older-than', reason: 'x' }] }),
      ],
      ['nothing is deleted when a manifest could not be read', { inventory: { ...inventory, unreadable: [d(9)] } }, (p) => ({ ...p, delete: [entry(d(3))] })],
      ['nothing is deleted without a cause', undefined, (p) => without(p, d(5))],
      ['an index is deleted before its children and an artifact before its subject', undefined, (p) => ({ ...p, delete: [...p.delete].reverse() })],
      [
        'a scheduled run removes only tags older than olderThan and never one of the newest N of its group',
        undefined,
        (p) => without(p, d(6)),
      ],
      ['a deleted branch loses only its own tags', { mode: { mode: 'branch-deleted', branch: 'pr-1' } }, (p) => without(p, d(3))],
      [
        'without only, a scheduled run never removes a channel tag or a rollback audit tag',
        { inventory: { ...inventory, tags: [...inventory.tags, { tag: 'prod', digest: d(8), created: old }] } },
        (p) => without(p, d(8)),
      ],
      [
        'without only, the newest historyKeep stamps of each channel tag present stay',
        {
          inventory: {
            ...inventory,
            tags: [
              ...inventory.tags,
              { tag: 'prod', digest: d(8), created: old },
              { tag: 'prod-20260501-0a0b0c0', digest: d(9), created: old },
            ],
          },
        },
        (p) => ({
          ...p,
          keep: p.keep.filter((k) => k.digest !== d(9)),
          delete: [...p.delete, { digest: d(9), tags: ['prod-20260501-0a0b0c0'], rule: 'older-than', reason: 'sabotage' }],
        }),
      ],
      ['a deleted git tag changes nothing and says why', { mode: { mode: 'tag-deleted', tag: 'v1' } }, (p) => ({ ...p, delete: [entry(d(3))] })],
    ])('the check "%s" rejects it', (name, change, sabotage) => {
      const input = makeInput({ ...base, ...change });
      const plan = planRetention(input);
      expect(() => checkAll(input, plan)).not.toThrow();
      expect(() => invariants[name]?.(input, sabotage(plan), relations(input.inventory))).toThrow();
    });
  });
});
