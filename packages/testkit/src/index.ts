export * from './github/index.js';
export * from './registry/index.js';
export { runActionYml } from './actions/run-action-yml.js';
export type { ActionRun, GitHubContextForTest } from './actions/run-action-yml.js';
export * from './sigstore/index.js';
export * from './git/index.js';
export * from './faults/index.js';
export * from './forgejo/index.js';
