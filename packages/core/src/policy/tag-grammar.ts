/**
 * The OCI tag grammar and the mapping of branch names onto it. Pure.
 *
 * @packageDocumentation
 */

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
 * Maps a branch name onto the
 * {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI tag grammar}:
 * every run of characters outside `[a-zA-Z0-9._-]` becomes one `-` (`feature/x` → `feature-x`),
 * leading `.` and `-` are dropped (a tag must start with `[a-zA-Z0-9_]`), and the result is cut
 * to 128 characters. Case is kept (tags are case-sensitive).
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
