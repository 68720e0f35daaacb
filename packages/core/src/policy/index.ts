// Curated exports of the policy module: which tags a build gets, stamp tags, the rollback picker (pure).
export { computeTags } from './compute-tags.js';
export type {
  TagPolicyInput,
  TagPlan,
  TagDecision,
  FloatingTagOptions,
  ComputeTagsInput,
  ComputeTagsResult,
} from './compute-tags.js';
export { renderStamp, parseStamp, validateStampTemplate } from './stamp.js';
export type { StampContext, StampPlaceholder, StampTemplateInfo, ParsedStamp } from './stamp.js';
export {
  pickRollbackTarget,
  auditTagFor,
  selectRollbackHistory,
  nextHistoryReads,
  ROLLBACK_AUDIT_TEMPLATE,
  planRollback,
  rollbackRerunRefusal,
  trackMovedRefusal,
  auditTagRefusal,
  rollbackMarker,
  rollbackNotice,
} from './rollback.js';
export type {
  RollbackHistorySelectionInput,
  StampedHistoryTag,
  HistoryReadsInput,
  RollbackHistoryRow,
  RollbackRefusal,
  RollbackPlanInput,
  RollbackPlan,
} from './rollback.js';
export type {
  RollbackHistoryEntry,
  RollbackPickInput,
  RollbackTarget,
  RollbackCandidate,
  RollbackPick,
  AuditTagInput,
  AuditTag,
} from './rollback.js';
export { OCI_TAG_GRAMMAR, isOciTag, sanitizeBranchTag } from './tag-grammar.js';
export { combineTagNames, addStagingTags, stagingReservationFor } from './images.js';
export type { ImageTagPlan, CombinedTagNames, StagingReservationDecision } from './images.js';
export { isFloatingVersionTag, findDowngrades, downgradeMessage } from './downgrade.js';
export type { DowngradeTarget, Downgrade } from './downgrade.js';
export { isVersionPattern, expandVersionPattern, pickCommonBuild, planSetRollback } from './release-set.js';
export type { CommonBuildPick, SetTargetState, SetRollbackStep } from './release-set.js';
export { builtCommit, REVISION_KEY, setCommitMismatch } from './built-commit.js';
export type { BuiltCommit, BuiltCommitInput } from './built-commit.js';
