/**
 * The cleanup use case: read a repository through a retention backend (the generic OCI registry or
 * GHCR's Packages API, chosen once), plan with the pure retention rules, re-read before deleting, and
 * delete in the plan's safe order, reporting exactly what was deleted.
 *
 * @packageDocumentation
 */
export { cleanup } from './cleanup.js';
export type { CleanupRequest, CleanupPorts, CleanupReport } from './cleanup.js';
export { registryRetentionBackend, ghcrRetentionBackend } from './backends.js';
export type { RetentionBackend } from './backends.js';
export {
  gatherRegistryInventory,
  gatherReferrers,
  gatherGhcrInventory,
  refreshRegistryTags,
  refreshGhcrTags,
  registryDeleteTarget,
  ghcrDeleteTarget,
  executeRetentionPlan,
} from './inventory.js';
export type {
  RetentionRegistryReader,
  GatherRegistryOptions,
  GatheredInventory,
  GatherGhcrOptions,
  GatheredGhcrInventory,
  RefreshedInventory,
  RetentionDeleteTarget,
  RetentionDeleteGuard,
  RetentionDeletedManifest,
  RetentionExecutionReport,
} from './inventory.js';
