export { startForgejoApi, FORGEJO_DOUBLE_VERSION } from './server.js';
export type { ForgejoApi, ForgejoApiOptions, ForgejoRecordedRequest, ForgejoViolation } from './server.js';
export { ForgejoApiState } from './state.js';
export type { ForgejoSeedCommit, ForgejoTagRecord, ForgejoReleaseRecord } from './state.js';
export {
  FORGEJO_API_DESCRIPTION_PATH,
  FORGEJO_API_DESCRIPTION_MISSING,
  hasForgejoApiDescription,
  loadForgejoOpenApi,
} from './openapi.js';
export { startForgejoStyleRegistry } from './registry.js';
