import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, InvalidReferenceError } from '../errors.js';
import {
  auditTagFor,
  auditTagRefusal,
  parseStamp,
  pickRollbackTarget,
  planRollback,
  rollbackMarker,
  rollbackNotice,
  rollbackRerunRefusal,
  trackMovedRefusal,
  ROLLBACK_AUDIT_TEMPLATE,
  selectRollbackHistory,
  nextHistoryReads,
} from './index.js';
import type { HistoryReadsInput, RollbackHistoryEntry, RollbackPlanInput, StampedHistoryTag } from './index.js';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const A = digest('a');
const B = digest('b');
const C = digest('c');
const D = digest('d');

/** History entries the way the rollback action builds them: the stamp is read with parseStamp. */
function entry(tag: string, d: string, template = 'prod-{datetime}-{sha}'): RollbackHistoryEntry {
  const stamp = parseStamp(tag, template);
  return { tag, digest: d, ...(stamp ? { stampTime: stamp.date, ...(stamp.sha ? { sha: stamp.sha } : {}) } : {}) };
}

describe('pickRollbackTarget', () => {
  describe('when the history is not in chronological order', () => {
    const history = [
      entry('prod-20261120-090000-1111111', A),
      entry('prod-20261122-101500-3333333', C),
      entry('prod-20261119-120000-0000000', D),
      entry('prod-20261121-080000-2222222', B),
    ];

    it.each([
      [C, 'prod-20261121-080000-2222222'],
      [B, 'prod-20261120-090000-1111111'],
      [A, 'prod-20261119-120000-0000000'],
      [D, undefined],
    ])('with the track on %s picks %s', (currentDigest, tag) => {
      expect(pickRollbackTarget({ history, currentDigest }).target?.tag).toBe(tag);
    });

    it('orders by stamp time, newest first, with a verdict for each tag', () => {
      const pick = pickRollbackTarget({ history, currentDigest: C });
      expect(pick.considered.map((c) => [c.tag, c.verdict])).toEqual([
        ['prod-20261122-101500-3333333', 'skipped: same digest as the current track'],
        ['prod-20261121-080000-2222222', 'picked: newest stamped build with a different digest'],
        ['prod-20261120-090000-1111111', 'not picked: older than prod-20261121-080000-2222222'],
        ['prod-20261119-120000-0000000', 'not picked: older than prod-20261121-080000-2222222'],
      ]);
      expect(pick.target).toEqual({
        tag: 'prod-20261121-080000-2222222',
        digest: B,
        stampTime: new Date('2026-11-21T08:00:00Z'),
        sha: '2222222',
      });
      expect(pick.reason).toBe(
        `roll back to prod-20261121-080000-2222222 (${B}, stamped 2026-11-21T08:00:00Z): the newest stamped build whose digest differs from the current track (${C})`,
      );
      expect(pick.warnings).toEqual([]);
    });

    it('does not roll forward again after a rollback', () => {
      const pick = pickRollbackTarget({ history, currentDigest: B });
      expect(pick.considered[0]).toMatchObject({
        tag: 'prod-20261122-101500-3333333',
        verdict: 'skipped: stamped after the current build prod-20261121-080000-2222222; the track was already rolled back past it',
      });
      expect(pick.target?.digest).toBe(A);
    });
  });

  describe('when rebuilds share the current digest', () => {
    it('skips every tag with the current digest', () => {
      const pick = pickRollbackTarget({
        history: [
          entry('prod-20261122-101500-3333333', C),
          entry('prod-20261121-080000-2222222', C),
          entry('prod-20261120-080000-1111111', C),
          entry('prod-20261119-080000-0000000', A),
        ],
        currentDigest: C,
      });
      expect(pick.considered.map((c) => c.verdict)).toEqual([
        'skipped: same digest as the current track',
        'skipped: same digest as the current track',
        'skipped: same digest as the current track',
        'picked: newest stamped build with a different digest',
      ]);
      expect(pick.target?.tag).toBe('prod-20261119-080000-0000000');
    });

    it('gives no target, with a clear reason, when every build has the current digest', () => {
      const pick = pickRollbackTarget({
        history: [entry('prod-20261122-101500-3333333', C), entry('prod-20261121-080000-2222222', C)],
        currentDigest: C,
      });
      expect(pick.target).toBeUndefined();
      expect(pick.reason).toBe(`no rollback target: every stamped build up to the current one has the current digest ${C}`);
    });
  });

  describe('when some tags have no parseable stamp', () => {
    it('lists them as skipped, after the stamped ones', () => {
      const pick = pickRollbackTarget({
        history: [
          entry('prod-latest', B),
          entry('prod-20261122-101500-3333333', C),
          entry('prod-rollback-20261122-111500-from-3333333', B),
          entry('prod-20261120-080000-1111111', A),
        ],
        currentDigest: C,
      });
      expect(pick.considered.map((c) => [c.tag, c.verdict])).toEqual([
        ['prod-20261122-101500-3333333', 'skipped: same digest as the current track'],
        ['prod-20261120-080000-1111111', 'picked: newest stamped build with a different digest'],
        ['prod-latest', 'skipped: no parseable stamp, so no build time to order by'],
        ['prod-rollback-20261122-111500-from-3333333', 'skipped: no parseable stamp, so no build time to order by'],
      ]);
      expect(pick.considered[2]?.stampTime).toBeUndefined();
      expect(pick.target?.digest).toBe(A);
    });

    it.each([
      [[], 'no rollback target: the history has no tags'],
      [[{ tag: 'prod-a', digest: A }, { tag: 'prod-b', digest: B }], 'no rollback target: none of the 2 history tags has a parseable stamp'],
      [[{ tag: 'prod-x', digest: A, stampTime: new Date('nope') }], 'no rollback target: none of the 1 history tags has a parseable stamp'],
    ])('gives no target for %j: %s', (history, reason) => {
      const pick = pickRollbackTarget({ history, currentDigest: C });
      expect(pick.target).toBeUndefined();
      expect(pick.reason).toBe(reason);
    });
  });

  describe('when the current digest is in none of the history tags', () => {
    it('picks the newest stamped build and says so', () => {
      const pick = pickRollbackTarget({
        history: [entry('prod-20261120-080000-1111111', A), entry('prod-20261121-080000-2222222', B)],
        currentDigest: D,
      });
      expect(pick.target?.digest).toBe(B);
      expect(pick.reason).toContain('the current digest is in none of the stamped history tags');
    });
  });

  describe('when stamps only carry a date', () => {
    it('keeps the given order for equal times and warns', () => {
      const history = [
        entry('prod-20261121-2222222', B, 'prod-{date}-{sha}'),
        entry('prod-20261121-1111111', A, 'prod-{date}-{sha}'),
        entry('prod-20261122-3333333', C, 'prod-{date}-{sha}'),
      ];
      const pick = pickRollbackTarget({ history, currentDigest: C });
      expect(pick.target?.tag).toBe('prod-20261121-2222222');
      expect(pick.warnings).toEqual([
        'prod-20261121-2222222 and prod-20261121-1111111 have the same stamp time 2026-11-21T00:00:00Z: their order follows the history as given',
      ]);
    });
  });

  describe('when the current digest is malformed', () => {
    it.each(['', 'abc', 'sha256:', 'SHA256:abc'])('throws InvalidReferenceError for %j', (currentDigest) => {
      expect(() => pickRollbackTarget({ history: [], currentDigest })).toThrow(InvalidReferenceError);
      expect(() => pickRollbackTarget({ history: [], currentDigest })).toThrow(`parse digest ${JSON.stringify(currentDigest)}`);
    });
  });
});

describe('auditTagFor', () => {
  const now = new Date('2026-11-22T12:30:45Z');
  const history = [
    entry('prod-20261122-101500-3333333', C),
    entry('prod-20261121-080000-2222222', C),
    entry('prod-20261120-080000-1111111', A),
    { tag: 'prod-latest', digest: B },
  ];

  describe('when a stamp names the replaced digest', () => {
    it('uses the sha of the newest stamp with that digest', () => {
      expect(auditTagFor({ replacedDigest: C, history, now })).toEqual({
        tag: 'prod-rollback-20261122-123045-from-3333333',
        sha: '3333333',
        source: 'stamp',
        fromTag: 'prod-20261122-101500-3333333',
      });
    });
  });

  describe('when no stamp names the replaced digest and the image carries a revision label', () => {
    it('uses the revision before the digest, and a stamp before the revision', () => {
      const revision = '9E8D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2F1E0D';
      expect(auditTagFor({ replacedDigest: B, history, now, replacedRevision: revision })).toEqual({
        tag: 'prod-rollback-20261122-123045-from-9e8d7c6',
        sha: '9e8d7c6',
        source: 'revision',
      });
      expect(auditTagFor({ replacedDigest: C, history, now, replacedRevision: revision }).source).toBe('stamp');
    });

    it('ignores a revision that is not a commit sha (a branch name)', () => {
      expect(auditTagFor({ replacedDigest: B, history, now, replacedRevision: 'main' }).source).toBe('digest');
    });
  });

  describe('when no stamp names the replaced digest', () => {
    it.each([
      [B, 'bbbbbbb'],
      [D, 'ddddddd'],
      ['sha512:0123456789ABCDEF', '0123456'],
    ])('uses the first 7 hex digits of %s', (replacedDigest, sha) => {
      expect(auditTagFor({ replacedDigest, history, now })).toEqual({
        tag: `prod-rollback-20261122-123045-from-${sha}`,
        sha,
        source: 'digest',
      });
    });
  });

  describe('when a template is given', () => {
    it('renders it', () => {
      expect(auditTagFor({ replacedDigest: A, history, now, template: 'staging-rollback-{date}-from-{sha}' }).tag).toBe(
        'staging-rollback-20261122-from-1111111',
      );
    });

    it('rejects a bad template', () => {
      expect(() => auditTagFor({ replacedDigest: A, history, now, template: 'x/{sha}' })).toThrow(ConfigurationError);
    });

    it('exports the default template', () => {
      expect(ROLLBACK_AUDIT_TEMPLATE).toBe('prod-rollback-{datetime}-from-{sha}');
    });
  });

  describe('when the replaced digest is malformed', () => {
    it.each(['nope', 'sha256:zzzzzzzz', 'sha256:abc'])('throws InvalidReferenceError for %j', (replacedDigest) => {
      expect(() => auditTagFor({ replacedDigest, history: [], now })).toThrow(InvalidReferenceError);
    });
  });
});

describe('selectRollbackHistory', () => {
  it('keeps stamped history tags in listing order, leaves out moved and audit tags, and says why others are skipped', () => {
    const result = selectRollbackHistory({
      tags: [
        'prod',
        'prod-20261120-ccccccc',
        'prod-rollback-20261121-090000-from-ccccccc',
        'prod-20261101-101500-aaaaaaa',
        'prod-manual',
        'latest',
        'sha-1234567',
      ],
      isHistoryTag: (tag) => tag.startsWith('prod-'),
      moved: ['prod', 'latest'],
      auditTemplate: 'prod-rollback-{datetime}-from-{sha}',
      stampTemplates: ['prod-{date}-{sha}', 'prod-{datetime}-{sha}'],
    });
    expect(result.stamped).toEqual([
      { tag: 'prod-20261120-ccccccc', stampTime: new Date('2026-11-20T00:00:00Z'), sha: 'ccccccc' },
      { tag: 'prod-20261101-101500-aaaaaaa', stampTime: new Date('2026-11-01T10:15:00Z'), sha: 'aaaaaaa' },
    ]);
    expect(result.skipped).toEqual([
      { tag: 'prod-manual', reason: 'skipped: no stamp of the form prod-{date}-{sha} or prod-{datetime}-{sha}, so no time to order by' },
    ]);
  });
});

describe('planRollback', () => {
  const now = new Date('2026-11-22T10:15:00Z');
  const stamped = [
    { tag: 'prod-20261120-090000-1111111', digest: A, stampTime: new Date('2026-11-20T09:00:00Z'), sha: '1111111' },
    { tag: 'prod-20261122-101500-3333333', digest: C, stampTime: new Date('2026-11-22T10:15:00Z'), sha: '3333333' },
    { tag: 'prod-20261121-080000-2222222', digest: B, stampTime: new Date('2026-11-21T08:00:00Z'), sha: '2222222' },
  ];
  const base = (overrides: Partial<RollbackPlanInput>): RollbackPlanInput => ({
    operation: 'roll back r/app:prod',
    track: 'prod',
    trackDigest: C,
    history: stamped,
    skipped: [],
    historyPattern: 'prod-*',
    stampTemplates: ['prod-{datetime}-{sha}'],
    now,
    auditTemplate: ROLLBACK_AUDIT_TEMPLATE,
    ...overrides,
  });

  it.each([
    { when: 'picking: the next older build', input: {}, toDigest: B, toTag: 'prod-20261121-080000-2222222', audit: 'prod-rollback-20261122-101500-from-3333333' },
    { when: 'to is a history tag', input: { to: { kind: 'tag' as const, tag: 'prod-20261120-090000-1111111', digest: A } }, toDigest: A, toTag: 'prod-20261120-090000-1111111', audit: 'prod-rollback-20261122-101500-from-3333333' },
    { when: 'to is a digest a history tag names', input: { to: { kind: 'digest' as const, digest: A } }, toDigest: A, toTag: 'prod-20261120-090000-1111111', audit: 'prod-rollback-20261122-101500-from-3333333' },
    { when: 'to is a digest no history tag names', input: { to: { kind: 'digest' as const, digest: D } }, toDigest: D, toTag: '', audit: 'prod-rollback-20261122-101500-from-3333333' },
    { when: 'the track digest is in no stamp', input: { trackDigest: D }, toDigest: C, toTag: 'prod-20261122-101500-3333333', audit: 'prod-rollback-20261122-101500-from-ddddddd' },
  ])('when $when: targets $toTag', ({ input, toDigest, toTag, audit }) => {
    const planned = planRollback(base(input));
    expect(planned).toMatchObject({ toDigest, toTag, audit: { tag: audit } });
  });

  it.each([
    { when: 'the history is empty', input: { history: [] }, code: 'NO_ROLLBACK_TARGET', message: 'roll back r/app:prod: no rollback target: no tag matches the history glob prod-*; nothing was moved' },
    {
      when: 'no history tag has a stamp',
      input: { history: [], skipped: [{ tag: 'prod-x', verdict: 'skipped: no stamp' }] },
      code: 'NO_ROLLBACK_TARGET',
      message: 'roll back r/app:prod: no rollback target: none of the 1 tags matching prod-* has a stamp of the form prod-{datetime}-{sha}; nothing was moved',
    },
    { when: 'to is where the track already is', input: { to: { kind: 'digest' as const, digest: C } }, code: 'ALREADY_AT_TARGET', message: `roll back r/app:prod: prod already points at ${C}; nothing was moved` },
    { when: 'only the current build is stamped', input: { history: [stamped[1]!] }, code: 'NO_ROLLBACK_TARGET', message: undefined },
  ])('when $when: refuses with $code', ({ input, code, message }) => {
    const planned = planRollback(base(input));
    expect('refusal' in planned && planned.refusal.code).toBe(code);
    if (message !== undefined && 'refusal' in planned) expect(planned.refusal.message).toBe(message);
  });

  describe('when to is given', () => {
    it('lists every stamped tag newest first with the verdict of the given target, then the skipped ones', () => {
      const planned = planRollback(base({ to: { kind: 'digest', digest: A }, skipped: [{ tag: 'prod-old', verdict: 'skipped: no stamp' }] }));
      expect('history' in planned && planned.history.map((row) => [row.tag, row.verdict])).toEqual([
        ['prod-20261122-101500-3333333', 'current: the build being replaced'],
        ['prod-20261121-080000-2222222', 'not used: to was given'],
        ['prod-20261120-090000-1111111', 'target: the digest given as to'],
        ['prod-old', 'skipped: no stamp'],
      ]);
    });
  });
});

describe('rollbackRerunRefusal', () => {
  it.each([
    { runAttempt: undefined, hasTo: false, refused: false },
    { runAttempt: 1, hasTo: false, refused: false },
    { runAttempt: 2, hasTo: true, refused: false },
    { runAttempt: 2, hasTo: false, refused: true },
    { runAttempt: 5, hasTo: false, refused: true },
  ])('attempt $runAttempt, to given $hasTo: refused $refused', ({ runAttempt, hasTo, refused }) => {
    const refusal = rollbackRerunRefusal({ ...(runAttempt !== undefined ? { runAttempt } : {}), hasTo, track: 'prod', operation: 'roll back r/app:prod' });
    expect(refusal?.code).toBe(refused ? 'RERUN_NEEDS_TO' : undefined);
  });
});

describe('auditTagRefusal', () => {
  it.each([
    { existing: undefined, refused: false },
    { existing: A, refused: false },
    { existing: B, refused: true },
  ])('audit tag on $existing, replacing A: refused $refused', ({ existing, refused }) => {
    const refusal = auditTagRefusal({ operation: 'roll back r/app:prod', auditTag: 'prod-rollback-x', existing, replacedDigest: A });
    expect(refusal?.code).toBe(refused ? 'AUDIT_TAG_TAKEN' : undefined);
  });
});

describe('rollbackNotice', () => {
  it('starts with the marker of its audit tag and names both builds', () => {
    const notice = rollbackNotice({ track: 'prod', now: new Date('2026-11-22T10:15:00.123Z'), fromVersion: '1.2.1', fromDigest: B, toVersion: '1.2.0', toDigest: A, auditTag: 'prod-rollback-x' });
    expect(notice.split('\n')).toEqual([
      rollbackMarker('prod-rollback-x'),
      '> [!WARNING]',
      `> Rolled back on 2026-11-22 10:15:00 UTC: \`prod\` moved from 1.2.1 (${B}) to 1.2.0 (${A}); audit tag \`prod-rollback-x\`.`,
    ]);
  });
});

describe('trackMovedRefusal', () => {
  const from = `sha256:${'c'.repeat(64)}`;
  const other = `sha256:${'d'.repeat(64)}`;
  it.each([
    { current: from, refused: false },
    { current: other, refused: true },
    { current: undefined, refused: true },
  ])('when the track reads $current before the write, refused: $refused', ({ current, refused }) => {
    const refusal = trackMovedRefusal({ operation: 'roll back r/app:prod', track: 'prod', decidedFrom: from, current });
    expect(refusal?.code).toBe(refused ? 'TRACK_MOVED' : undefined);
    if (refused) expect(refusal?.message).toMatch(/^roll back r\/app:prod: prod pointed at sha256:c+ when the rollback was planned and .*; nothing was moved$/);
  });
});

describe('nextHistoryReads', () => {
  /** Build n (1-based) stamped on day n, with the commit `n` repeated: newer builds have larger n. */
  const build = (n: number, sha = true): StampedHistoryTag => ({
    tag: `prod-202611${String(n).padStart(2, '0')}-${sha ? String(n % 10).repeat(7) : 'nosha'}`,
    stampTime: new Date(Date.UTC(2026, 10, n)),
    ...(sha ? { sha: String(n % 10).repeat(7) } : {}),
  });
  const d = (n: number): string => digest((n % 16).toString(16));
  /** Five builds listed out of order; build n carries digest d(n) unless `digests` says otherwise. */
  const five = [build(3), build(5), build(1), build(4), build(2)];
  const reads = (entries: Array<[number, number | null]>): Map<string, string | null> =>
    new Map(entries.map(([n, digestOf]) => [build(n).tag, digestOf === null ? null : d(digestOf)]));
  const input = (overrides: Partial<HistoryReadsInput>): HistoryReadsInput => ({ stamped: five, read: new Map(), currentDigest: d(5), batch: 0, ...overrides });

  it.each([
    { when: 'nothing is read yet', input: {}, next: [5, 4] },
    { when: 'the newest is the current build and the next one differs', input: { read: reads([[5, 5], [4, 4]]), batch: 1 }, next: [] },
    { when: 'the next one is a rebuild with the current digest', input: { read: reads([[5, 5], [4, 5]]), batch: 1 }, next: [3, 2, 1] },
    { when: 'the track was rolled back past the newest two', input: { read: reads([[5, 5], [4, 4]]), currentDigest: d(3), batch: 1 }, next: [3, 2, 1] },
    { when: 'the track was rolled back to the second newest: its older neighbour decides', input: { read: reads([[5, 5], [4, 4]]), currentDigest: d(4), batch: 1 }, next: [3, 2, 1] },
    { when: 'a tag vanished between the list and the read', input: { read: reads([[5, 5], [4, null]]), batch: 1 }, next: [3, 2, 1] },
    { when: 'the current digest is in no history tag', input: { read: reads([[5, 5], [4, 4]]), currentDigest: d(9), batch: 1 }, next: [3, 2, 1] },
    { when: 'everything was read', input: { read: reads([[5, 5], [4, 4], [3, 3], [2, 2], [1, 1]]), currentDigest: d(9), batch: 2 }, next: [] },
    { when: 'to is a tag and the newest carries the current digest with a SHA', input: { read: reads([[5, 5], [4, 4]]), to: { kind: 'tag', digest: d(1) }, batch: 1 }, next: [] },
    { when: 'to is a digest no tag read carries', input: { read: reads([[5, 5], [4, 4]]), to: { kind: 'digest', digest: d(1) }, batch: 1 }, next: [3, 2, 1] },
    { when: 'to is a digest the tags read carry', input: { read: reads([[5, 5], [4, 4]]), to: { kind: 'digest', digest: d(4) }, batch: 1 }, next: [] },
  ] as Array<{ when: string; input: Partial<HistoryReadsInput>; next: number[] }>)('when $when: reads $next next', ({ input: overrides, next }) => {
    expect(nextHistoryReads(input(overrides))).toEqual(next.map((n) => build(n).tag));
  });

  it('reads batches of 2, 4, then 8 at most (the requests in flight per host)', () => {
    const many = Array.from({ length: 30 }, (_, i) => build(i + 1));
    const sizes = [0, 1, 2, 3].map((batch) => nextHistoryReads({ stamped: many, read: new Map(), currentDigest: d(99), batch }).length);
    expect(sizes).toEqual([2, 4, 8, 8]);
  });

  it('keeps reading for the SHA of the audit tag when the current build has none in its stamp', () => {
    const stamped = [build(5, false), build(4), build(3)];
    const read = new Map([[stamped[0]!.tag, d(5)], [stamped[1]!.tag, d(4)]]);
    expect(nextHistoryReads({ stamped, read, currentDigest: d(5), batch: 1 })).toEqual([build(3).tag]);
    const none = [build(5, false), build(4, false), build(3, false)];
    const readNone = new Map([[none[0]!.tag, d(5)], [none[1]!.tag, d(4)]]);
    expect(nextHistoryReads({ stamped: none, read: readNone, currentDigest: d(5), batch: 1 })).toEqual([]);
  });

  it('decides as planRollback does over the whole history, whatever the digests (property)', () => {
    const now = new Date('2026-11-22T10:15:00Z');
    fc.assert(
      fc.property(
        fc.array(fc.record({ day: fc.integer({ min: 1, max: 28 }), digest: fc.integer({ min: 0, max: 4 }), sha: fc.boolean() }), { minLength: 0, maxLength: 12 }),
        fc.integer({ min: 0, max: 5 }),
        fc.option(fc.record({ kind: fc.constantFrom('tag' as const, 'digest' as const), digest: fc.integer({ min: 0, max: 5 }) }), { nil: undefined }),
        (rows, current, toInput) => {
          const stamped: StampedHistoryTag[] = rows.map((row, i) => ({
            tag: `prod-202611${String(row.day).padStart(2, '0')}-${i}`,
            stampTime: new Date(Date.UTC(2026, 10, row.day)),
            ...(row.sha ? { sha: `${i % 10}abcdef` } : {}),
          }));
          const digestOf = new Map(stamped.map((entry, i) => [entry.tag, d(rows[i]!.digest)]));
          const to = toInput ? { kind: toInput.kind, digest: d(toInput.digest) } : undefined;
          const toPlan = to ? (to.kind === 'tag' ? { kind: 'tag' as const, tag: 'given', digest: to.digest } : { kind: 'digest' as const, digest: to.digest }) : undefined;
          const read = new Map<string, string | null>();
          for (let batch = 0; ; batch++) {
            const next = nextHistoryReads({ stamped, read, currentDigest: d(current), ...(to ? { to } : {}), batch });
            if (next.length === 0) break;
            for (const tag of next) read.set(tag, digestOf.get(tag)!);
          }
          const plan = (history: StampedHistoryTag[], unread: StampedHistoryTag[]) =>
            planRollback({
              operation: 'roll back r/app:prod',
              track: 'prod',
              trackDigest: d(current),
              history: history.map((entry) => ({ ...entry, digest: digestOf.get(entry.tag)! })),
              skipped: [],
              unread,
              historyPattern: 'prod-*',
              stampTemplates: ['prod-{date}-{sha}'],
              ...(toPlan ? { to: toPlan } : {}),
              now,
              auditTemplate: ROLLBACK_AUDIT_TEMPLATE,
            });
          const whole = plan(stamped, []);
          const lazy = plan(
            stamped.filter((entry) => read.has(entry.tag)),
            stamped.filter((entry) => !read.has(entry.tag)),
          );
          if ('refusal' in whole) {
            expect('refusal' in lazy && lazy.refusal.code).toBe(whole.refusal.code);
          } else {
            expect(lazy).toMatchObject({ toDigest: whole.toDigest, toTag: whole.toTag, audit: whole.audit });
            expect('history' in lazy && lazy.history.map((row) => row.tag).sort()).toEqual(whole.history.map((row) => row.tag).sort());
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
