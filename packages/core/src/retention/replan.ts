import type { RetentionPlan } from './types.js';

/**
 * What to do when the tags changed between the listing a plan was made from and the check just before
 * deleting (see {@link replanAfterChange}).
 *
 * - `unchanged`: nothing changed; delete what `plan` (the first plan) deletes.
 * - `replanned`: the new plan deletes only digests the first plan already deleted (and printed); delete
 *   what `plan` (the new plan) deletes.
 * - `abort`: the new plan deletes a digest the first plan did not: `plan` deletes nothing and says why
 *   in `skipped`, so nothing is deleted that was not planned and shown.
 */
export type RetentionReplan =
  | { decision: 'unchanged'; plan: RetentionPlan }
  | { decision: 'replanned'; plan: RetentionPlan; warning: string }
  | { decision: 'abort'; plan: RetentionPlan; warning: string };

/**
 * The re-plan rule of a cleanup: after the tags were read again just before deleting, decide between the
 * first plan, the plan made again with the changed tags, or deleting nothing. A cleanup never deletes
 * a manifest it did not plan (and print) before the change: when the new plan deletes a digest the first
 * one kept, nothing is deleted and the user is told to run again. Pure.
 *
 * @param first - the plan made from the first listing (the one printed).
 * @param again - the plan made from the refreshed inventory; ignored when `changed` is empty.
 * @param changed - the tags that appeared or moved since the first listing (sorted, as read).
 * @returns the plan to carry out and the warning to show (none when unchanged).
 * @example
 * ```ts
 * const next = replanAfterChange(plan, planRetention({ ...input, inventory: fresh.inventory }), fresh.changed);
 * if (next.decision !== 'unchanged') warnings.push(next.warning);
 * ```
 */
export function replanAfterChange(first: RetentionPlan, again: RetentionPlan, changed: readonly string[]): RetentionReplan {
  if (changed.length === 0) return { decision: 'unchanged', plan: first };
  const list = changed.join(', ');
  const planned = new Set(first.delete.map((entry) => entry.digest));
  if (again.delete.some((entry) => !planned.has(entry.digest))) {
    return {
      decision: 'abort',
      plan: { ...first, delete: [], skipped: `the repository changed while it was read (${list})` },
      warning: `tags changed while the repository was read (${list}): nothing deleted; run again`,
    };
  }
  return { decision: 'replanned', plan: again, warning: `tags changed while the repository was read (${list}); planned again with them` };
}
