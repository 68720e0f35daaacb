/**
 * The compute-tags use case: read each image's tags, apply the pure tag policy, reserve a staging
 * tag for branch builds through the forge, and combine the images' tag names.
 *
 * @packageDocumentation
 */
export { computeImageTags } from './compute-tags.js';
export type {
  ComputeImageTagsRequest,
  ComputeImageTagsPorts,
  ComputeImageTagsReport,
  ImageTagDecision,
  StagingTagReservation,
} from './compute-tags.js';
