/**
 * Retention: which tags and manifests of a repository a cleanup may delete without breaking a
 * release. Pure: the caller reads the repository (the I/O is in `@tagwright/core/cleanup`: a
 * `RetentionBackend` over a registry or GHCR, `executeRetentionPlan`), {@link planRetention} returns a plan as data,
 * {@link replanAfterChange} decides what to do when tags changed before deleting, {@link describePlan} turns it into table rows.
 *
 * @packageDocumentation
 */
export { planRetention } from './plan.js';
export { replanAfterChange } from './replan.js';
export type { RetentionReplan } from './replan.js';
export {
  compileRetentionPolicy,
  compileRetentionPattern,
  isRetentionCandidate,
  isChannelTag,
  isRollbackAuditTag,
  checkRetentionSafety,
  DEFAULT_RETENTION_PROTECT,
  DEFAULT_ROLLBACK_HISTORY_KEEP,
  MIN_RETENTION_AGE_MS,
} from './policy.js';
export { parseRetentionDuration } from './duration.js';
export { describePlan, RETENTION_PLAN_COLUMNS } from './describe.js';
export type { DescribeRetentionPlanOptions, RetentionPlanCounts, RetentionPlanDescription } from './describe.js';
export type {
  RetentionTag,
  RetentionUntaggedManifest,
  RetentionReferrer,
  RetentionInventory,
  RetentionKeepNewest,
  RetentionPolicy,
  RetentionPattern,
  CompiledRetentionKeepNewest,
  CompiledRetentionPolicy,
  RetentionMode,
  RetentionInput,
  RetentionKeepRule,
  RetentionDeleteRule,
  RetentionKeepEntry,
  RetentionDeleteEntry,
  RetentionUntagEntry,
  RetentionPlan,
} from './types.js';
