/**
 * Image tags: the OCI tag grammar and the mapping of branch and git tag names onto it. Pure.
 *
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI distribution spec, Pulling manifests}
 * @packageDocumentation
 */
import { InvalidReferenceError } from '../errors.js';

/**
 * The tag grammar of the OCI distribution spec,
 * {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | Pulling manifests}:
 * `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}` (at most 128 characters).
 */
export const OCI_TAG_GRAMMAR = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/**
 * Tells whether `tag` is a valid image tag under the
 * {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI tag grammar}.
 *
 * @param tag - a candidate tag, e.g. `1.2.3`, `feature-x`.
 * @returns true when the tag matches {@link OCI_TAG_GRAMMAR}.
 */
export function isOciTag(tag: string): boolean {
  return OCI_TAG_GRAMMAR.test(tag);
}

/**
 * Says what is wrong with a tag under the OCI tag grammar, for an error message.
 *
 * @param tag - the tag as the user wrote it.
 * @returns `undefined` for a valid tag, else the problem, e.g. `is empty`,
 *   `must start with a letter, digit or "_"`.
 */
export function tagProblem(tag: string): string | undefined {
  if (OCI_TAG_GRAMMAR.test(tag)) return undefined;
  if (tag.length === 0) return 'is empty';
  if (tag.length > 128) return `is ${tag.length} characters long; at most 128 are allowed`;
  const bad = [...tag].find((c) => !/[a-zA-Z0-9._-]/.test(c));
  if (bad !== undefined) return `contains ${JSON.stringify(bad)}; only letters, digits, "_", "." and "-" are allowed`;
  return 'must start with a letter, digit or "_"';
}

/**
 * Checks a tag against the OCI tag grammar `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | Pulling manifests}).
 *
 * @param tag - the tag as the user wrote it.
 * @returns the tag, unchanged.
 * @throws {@link InvalidReferenceError} `INVALID_TAG`, naming the tag and what is wrong.
 * @example
 * ```ts
 * validateTag('1.2.3'); // '1.2.3'
 * validateTag('-rc');   // throws: parse tag "-rc": must start with a letter, digit or "_"
 * ```
 */
export function validateTag(tag: string): string {
  const reason = tagProblem(tag);
  if (reason) throw new InvalidReferenceError('INVALID_TAG', tag, reason);
  return tag;
}

/**
 * Maps a branch (or git tag) name onto the
 * {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI tag grammar}:
 * every run of characters outside `[a-zA-Z0-9._-]` becomes one `-` (`feature/x` → `feature-x`),
 * leading `.` and `-` are dropped (a tag must start with `[a-zA-Z0-9_]`), and the result is cut
 * to 128 characters. Case is kept (tags are case-sensitive). The result is `''` or matches
 * {@link OCI_TAG_GRAMMAR}.
 *
 * @param branch - the branch name without `refs/heads/`.
 * @returns the tag, or `''` when nothing of the branch name is allowed in a tag.
 */
export function sanitizeBranchTag(branch: string): string {
  return branch
    .replace(/[^a-zA-Z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}
