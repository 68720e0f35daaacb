/**
 * Retention: which tags and manifests of a repository a cleanup may delete without breaking a
 * release. Pure: the caller reads the repository, {@link planRetention} returns a plan as data,
 * {@link describePlan} turns it into table rows.
 *
 * @packageDocumentation
 */
export { planRetention } from './plan.js';
export { compileRetentionPolicy, compileRetentionPattern, DEFAULT_RETENTION_PROTECT } from './policy.js';
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
export {
  gatherRegistryInventory,
  gatherReferrers,
  gatherGhcrInventory,
  refreshRegistryTags,
  refreshGhcrTags,
  registryDeleteTarget,
  ghcrDeleteTarget,
  executeRetentionPlan,
} from './gather.js';
export type {
  RetentionRegistryReader,
  GatherRegistryOptions,
  GatheredInventory,
  GatherGhcrOptions,
  GatheredGhcrInventory,
  RefreshedInventory,
  RetentionDeleteTarget,
  RetentionDeletedManifest,
  RetentionExecutionReport,
} from './gather.js';
