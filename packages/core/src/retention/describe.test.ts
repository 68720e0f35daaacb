import { describe, expect, it } from 'vitest';
import { describePlan, RETENTION_PLAN_COLUMNS } from './describe.js';
import { planRetention } from './plan.js';
import { cosignTag, daysBefore, digestOf } from './testing.js';
import type { RetentionPlan } from './types.js';

const now = new Date('2026-06-01T00:00:00Z');
const index = digestOf('index');
const child = digestOf('child');
const shared = digestOf('shared');

function samplePlan(canUntag: boolean): RetentionPlan {
  return planRetention({
    inventory: {
      tags: [
        { tag: 'latest', digest: index, created: daysBefore(now, 50) },
        { tag: 'sha-1a2b3c4', digest: digestOf('old'), created: daysBefore(now, 50) },
        { tag: cosignTag(digestOf('old'), 'sig'), digest: digestOf('old sig'), created: daysBefore(now, 50) },
        { tag: 'v1.0.0', digest: shared, created: daysBefore(now, 50) },
        { tag: 'sha-5d6e7f8', digest: shared, created: daysBefore(now, 50) },
      ],
      indexes: { [index]: [child] },
      untagged: [{ digest: child }],
    },
    policy: { olderThan: '30d' },
    canUntag,
    now,
  });
}

describe('describePlan', () => {
  describe('when the plan deletes, untags and keeps', () => {
    it('lists deletions first, then untags, then what stays, with counts', () => {
      const description = describePlan(samplePlan(true));
      expect(description.columns).toEqual(RETENTION_PLAN_COLUMNS);
      expect(description.rows.map((row) => [row[0], row[1], row[3]])).toEqual([
        ['delete', `\`${cosignTag(digestOf('old'), 'sig')}\``, 'artifact'],
        ['delete', '`sha-1a2b3c4`', 'older-than'],
        ['untag', '`sha-5d6e7f8`', 'older-than'],
        ['keep', '`latest`', 'protect'],
        ['keep', '`v1.0.0`', 'protect'],
        ['keep', '(untagged)', 'index-child'],
      ]);
      expect(description.rows[1]).toEqual([
        'delete',
        '`sha-1a2b3c4`',
        `\`${digestOf('old').slice(0, 19)}\``,
        'older-than',
        'sha-1a2b3c4: older than 30d',
      ]);
      expect(description.counts).toEqual({
        deletedManifests: 2,
        deletedTags: 2,
        untaggedTags: 1,
        keptTags: 2,
        keptManifests: 1,
        warnings: 0,
      });
      expect(description.summary).toBe('delete 2 manifest(s) (2 tag(s)), untag 1 tag(s), keep 2 tag(s) and 1 untagged manifest(s)');
      expect(description.omittedRows).toBe(0);
    });

    it('counts the warning of a tag kept on a shared digest', () => {
      const description = describePlan(samplePlan(false));
      expect(description.counts).toMatchObject({ untaggedTags: 0, keptTags: 3, warnings: 1 });
    });
  });

  describe('when rows are limited', () => {
    it.each([
      [{ maxRows: 2 }, 2, 4],
      [{ maxRows: 0 }, 0, 6],
      [{ includeKept: false }, 3, 0],
      [{ includeKept: false, maxRows: 1 }, 1, 2],
    ])('%j shows %d rows and leaves out %d', (options, shown, omitted) => {
      const description = describePlan(samplePlan(true), options);
      expect(description.rows).toHaveLength(shown);
      expect(description.omittedRows).toBe(omitted);
      expect(description.counts.keptTags).toBe(2);
    });
  });

  describe('when text would break a markdown table', () => {
    it('escapes pipes, markdown punctuation and newlines', () => {
      const plan: RetentionPlan = {
        keep: [{ tag: 'a|b`c', digest: 'sha256:0123456789abcdef', rule: 'protect', reason: 'protected: pattern a|b*\n<x>' }],
        delete: [],
        untag: [],
        warnings: [],
      };
      expect(describePlan(plan).rows).toEqual([
        ['keep', "`a\\|b'c`", '`sha256:0123456789ab`', 'protect', 'protected: pattern a\\|b\\* \\<x\\>'],
      ]);
    });
  });

  describe('when the plan was skipped', () => {
    it('says why in the summary', () => {
      const plan = planRetention({
        inventory: { tags: [] },
        policy: {},
        canUntag: false,
        now,
        mode: 'tag-deleted',
        tag: 'v1.0.0',
      });
      expect(describePlan(plan)).toEqual({
        columns: RETENTION_PLAN_COLUMNS,
        rows: [],
        omittedRows: 0,
        counts: { deletedManifests: 0, deletedTags: 0, untaggedTags: 0, keptTags: 0, keptManifests: 0, warnings: 0 },
        summary: 'nothing to do: deleting git tag v1.0.0 never deletes a release image',
      });
    });
  });
});
