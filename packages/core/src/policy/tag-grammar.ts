/**
 * The OCI tag grammar and the mapping of branch names onto it, as the tag policy uses them.
 * The rules live in the grammar module (`@tagwright/core/grammar`); this file re-exports them
 * for the policy and for existing imports of `@tagwright/core/policy`.
 *
 * @packageDocumentation
 */
export { OCI_TAG_GRAMMAR, isOciTag, sanitizeBranchTag } from '../grammar/tag.js';
