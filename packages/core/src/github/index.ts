// Curated exports of the github module (adapter: the only place that talks to the GitHub API).
export { createGitHubClient, GitHubError } from './client.js';
export type {
  GitHubClient,
  GitHubClientOptions,
  Release,
  ReleaseInput,
  GitRef,
  PackageOwner,
  PackageVersion,
} from './client.js';
export { reserveStagingTag, readBaseVersion } from './staging.js';
export type { ReserveStagingTagOptions, StagingReservation } from './staging.js';
export { githubReleaseStore } from './release-store.js';
