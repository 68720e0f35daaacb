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
export { githubTagStore } from './tag-store.js';
export type { GitHubTagApi } from './tag-store.js';
export { githubReleaseStore } from './release-store.js';
