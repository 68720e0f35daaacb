/**
 * The promote use case: {@link promote} moves target tags to a digest with the same manifest bytes (the
 * registry side, also used by rollback); {@link promoteImage} is the whole job of the promote action:
 * verification, cross-repository copy with signatures, and the release.
 *
 * @packageDocumentation
 */
export { promote } from './promote.js';
export type { PromoteOptions, PromoteReport, TargetReport, CopyFigures, CopyImage } from './promote.js';
export { promoteImage } from './promote-image.js';
export type { PromoteImageRequest, PromoteImagePorts, PromoteImageReport } from './promote-image.js';
export { refuseDowngrades } from './downgrade.js';
export { promoteSet } from './promote-set.js';
export type { PromoteSetRequest, PromoteSetPorts, PromoteSetReport, SetImageReport, SetTargetReport, SetSource } from './promote-set.js';
export { readImageRevision } from './revision.js';
