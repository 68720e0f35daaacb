// Curated exports of the semver module: versions from git refs and image tags (pure).
export { parseReleaseRef, classifyBuild, PULL_REQUEST_EVENTS } from './refs.js';
export type {
  RefContext,
  WorkflowEvent,
  RefKind,
  RefClassification,
  ReleaseRef,
  NonReleaseTagRef,
  BranchRef,
  PullRequestRef,
  OtherRef,
  ParseReleaseRefOptions,
} from './refs.js';
export { versionOfTag, parseStrictVersion, compareVersions, imageTagOfVersion } from './version.js';
export type { ReleaseVersion } from './version.js';
