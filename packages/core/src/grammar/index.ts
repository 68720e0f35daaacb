/**
 * The grammar module: every string rule tagwright parses, in one place, in the manner of
 * go-containerregistry's `pkg/name`: image tags, digests, artifact tags, commit ids and
 * repository-relative paths. Image references (`registry/repository:tag@digest`) are parsed
 * by `@tagwright/core/registry`'s `parseReference`, built on these rules. Pure.
 *
 * @packageDocumentation
 */
export { OCI_TAG_GRAMMAR, isOciTag, tagProblem, validateTag, sanitizeBranchTag } from './tag.js';
export { digestProblem, isDigest, validateDigest } from './digest.js';
export { ARTIFACT_TAG_GRAMMAR, parseArtifactTag } from './artifact-tag.js';
export type { ArtifactTag, ArtifactTagKind } from './artifact-tag.js';
export {
  FULL_COMMIT_SHA,
  ABBREVIATED_COMMIT_SHA,
  isFullCommitSha,
  isAbbreviatedCommitSha,
  normalizeCommitSha,
  commitShaProblem,
} from './commit-sha.js';
export type { CommitShaForm } from './commit-sha.js';
export { REGISTRY_HOST_GRAMMAR, isRegistryHost, IMAGE_ID, isImageId } from './name.js';
export { repositoryPathProblem, isRepositoryPath } from './path.js';
