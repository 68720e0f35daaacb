// Curated exports of the semver module: versions from git refs and image tags (pure).
export { parseReleaseRef } from './refs.js';
export type {
  RefContext,
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
