import { describe, expect, it } from 'vitest';
import { replanAfterChange } from './replan.js';
import { digestOf } from './testing.js';
import type { RetentionDeleteEntry, RetentionPlan } from './types.js';

const deleting = (...labels: string[]): RetentionPlan => ({
  keep: [],
  delete: labels.map((label): RetentionDeleteEntry => ({ digest: digestOf(label), tags: [label], rule: 'keep-newest', reason: 'beyond count' })),
  untag: [],
  warnings: ['first plan warning'],
});

describe('replanAfterChange', () => {
  it.each([
    { when: 'no tag changed', first: ['a', 'b'], again: ['c'], changed: [], decision: 'unchanged', deletes: ['a', 'b'] },
    { when: 'the new plan deletes fewer (a tag arrived on a planned build)', first: ['a', 'b'], again: ['b'], changed: ['1.2.0'], decision: 'replanned', deletes: ['b'] },
    { when: 'the new plan deletes the same', first: ['a'], again: ['a'], changed: ['x'], decision: 'replanned', deletes: ['a'] },
    { when: 'the new plan deletes a digest the first kept', first: ['a'], again: ['a', 'c'], changed: ['latest'], decision: 'abort', deletes: [] },
    { when: 'the new plan deletes only an unplanned digest', first: [], again: ['c'], changed: ['latest'], decision: 'abort', deletes: [] },
  ])('when $when: $decision', ({ first, again, changed, decision, deletes }) => {
    const result = replanAfterChange(deleting(...first), deleting(...again), changed);
    expect(result.decision).toBe(decision);
    expect(result.plan.delete.map((entry) => entry.tags[0])).toEqual(deletes);
  });

  describe('when the new plan would delete something not planned', () => {
    it('keeps the first plan with nothing deleted, says why, and asks for a run again', () => {
      const result = replanAfterChange(deleting('a'), deleting('c'), ['latest', 'v2']);
      expect(result).toMatchObject({
        decision: 'abort',
        plan: { delete: [], skipped: 'the repository changed while it was read (latest, v2)', warnings: ['first plan warning'] },
        warning: 'tags changed while the repository was read (latest, v2): nothing deleted; run again',
      });
    });
  });

  describe('when the new plan is a subset', () => {
    it('takes the new plan and says it planned again', () => {
      const result = replanAfterChange(deleting('a', 'b'), deleting('b'), ['1.2.0']);
      expect(result).toMatchObject({ decision: 'replanned', warning: 'tags changed while the repository was read (1.2.0); planned again with them' });
    });
  });
});
