/**
 * The release use case: prepare the forge release of a version before any tag moves (tag spelling,
 * previous release, `make_latest`, notes from commits or a changelog), publish it after, over the
 * forge-neutral {@link ReleaseStore} port (GitHub: `githubReleaseStore` in `@tagwright/core/github`).
 *
 * @packageDocumentation
 */
export { prepareRelease, readReleaseHistory, knownReleaseTags, stampReleaseTag } from './release.js';
export { afterTagsMoved } from './after-move.js';
export { reserveStagingTag, readBaseVersion } from './staging.js';
export type { ReserveStagingTagOptions, StagingReservation } from './staging.js';
export type { VerificationSummary } from './after-move.js';
export type {
  ReleaseOptions,
  ReleaseRequest,
  ReleasePorts,
  ReleasedImage,
  PreparedRelease,
  ReleaseOutcome,
  ReleaseHistory,
} from './release.js';
export type { ReleaseStore, StoredRelease, ReleaseWrite, ReleaseStoreCapabilities, TagStore, TagCommit } from './store.js';
export { evaluateReleaseGates } from './gates.js';
export type { GateResult, GateFacts } from './gates.js';
