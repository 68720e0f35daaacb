// Curated exports of the forgejo module (adapter: the only place that talks to a Forgejo API).
export { createForgejoClient, FORGEJO_CAPABILITIES, FORGEJO_LATEST_EXPLANATION } from './client.js';
export type {
  ForgejoClient,
  ForgejoClientOptions,
  ForgejoCapabilities,
  ForgejoRelease,
  ForgejoReleaseInput,
  ForgejoReleaseUpdate,
  ForgejoTag,
  ForgejoRef,
} from './client.js';
export { ForgejoError, TagExistsError } from './errors.js';
export { detectForge, forgejoFlavorOf } from './detect.js';
export type { Forge, ForgeDetection, DetectForgeOptions } from './detect.js';
export { forgejoReleaseStore } from './release-store.js';
