// Curated exports of the git module.
export { createGitRunner, GitError } from './exec.js';
export type { GitRunner, GitResult } from './exec.js';
export { commitRange, resolveCommit, readFileAtCommit } from './log.js';
export { classifyRef, checkoutRef, GitRefError } from './classify.js';
export type { GitRefKind, GitRefClassification, ClassifyRefOptions, CheckoutRefOptions, CheckoutRefResult } from './classify.js';
