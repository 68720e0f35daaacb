// Curated exports of the git module.
export { createGitRunner, GitError } from './exec.js';
export type { GitRunner, GitResult } from './exec.js';
export { commitRange, resolveCommit, readFileAtCommit } from './log.js';
