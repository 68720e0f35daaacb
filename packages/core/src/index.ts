/**
 * `@tagwright/core`: SemVer tag policy, OCI registry client, Sigstore verification,
 * changelog and release notes, git and GitHub adapters. No `@actions/*` import here.
 *
 * Each module keeps a curated export list in its own `index.ts`; this file re-exports them.
 *
 * @packageDocumentation
 */
export {
  TagwrightError,
  InvalidReferenceError,
  RegistryError,
  VerificationError,
  PolicyError,
  ConfigurationError,
  PartialMutationError,
  errorMessage,
} from './errors.js';
export type { OciErrorEntry } from './errors.js';
export { redact, redactUrl, registerSecret } from './redact.js';
export * from './grammar/index.js';
export * from './registry/index.js';
export * from './semver/index.js';
export * from './policy/index.js';
export * from './changelog/index.js';
export * from './git/index.js';
export * from './github/index.js';
export * from './sigstore/index.js';
export * from './retention/index.js';
export * from './promote/index.js';
export * from './cleanup/index.js';
export * from './release/index.js';
export * from './rollback/index.js';
export { prepareRollbackRelease } from './rollback/release.js';
export * from './compute-tags/index.js';
