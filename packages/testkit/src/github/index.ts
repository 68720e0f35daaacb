// The GitHub REST API double: a local server validated against GitHub's OpenAPI description.
export { startGitHubApi } from './server.js';
export type { GitHubApi, GitHubApiOptions, RecordedRequest, Violation } from './server.js';
export { GitHubApiState } from './state.js';
export type {
  SeedCommit,
  RefRecord,
  TagObjectRecord,
  ReleaseRecord,
  PackageVersionRecord,
  PackageOwner,
} from './state.js';
export { loadGitHubOpenApi } from './openapi.js';
