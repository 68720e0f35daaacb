/**
 * Git commit ids. Pure.
 *
 * One rule, two forms:
 * - a **full** commit id, where a commit must be named exactly (creating a git tag or a GitHub
 *   release at it, the result of `git rev-parse`, the `sha` input of compute-tags): 40 hex
 *   characters (SHA-1) or 64 (SHA-256 repositories, {@link https://git-scm.com/docs/hash-function-transition | git hash-function transition});
 * - an **abbreviated** commit id, where only its first 7 characters are used (stamp tags'
 *   `{sha}`, the `sha` input of promote, the commit read back from a stamp tag in rollback):
 *   7 to 64 hex characters.
 *
 * Both are lowercase, as git and `GITHUB_SHA` print them; inputs typed by a user are lowercased
 * by their reader before the check ({@link normalizeCommitSha}).
 *
 * @packageDocumentation
 */

/** A full commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hex characters. */
export const FULL_COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** An abbreviated (or full) commit id: 7 to 64 lowercase hex characters. */
export const ABBREVIATED_COMMIT_SHA = /^[0-9a-f]{7,64}$/;

/** Which form of commit id a caller requires (see the module documentation). */
export type CommitShaForm = 'full' | 'abbreviated';

/**
 * Tells whether `sha` is a full commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hex characters.
 *
 * @param sha - a candidate commit id.
 * @returns true when it matches {@link FULL_COMMIT_SHA}.
 */
export function isFullCommitSha(sha: string): boolean {
  return FULL_COMMIT_SHA.test(sha);
}

/**
 * Tells whether `sha` is a commit id of at least 7 and at most 64 lowercase hex characters
 * (abbreviated or full).
 *
 * @param sha - a candidate commit id.
 * @returns true when it matches {@link ABBREVIATED_COMMIT_SHA}.
 */
export function isAbbreviatedCommitSha(sha: string): boolean {
  return ABBREVIATED_COMMIT_SHA.test(sha);
}

/**
 * Lowercases a commit id a user typed (`ABC1234` → `abc1234`); git prints lowercase.
 *
 * @param sha - the commit id as given.
 * @returns the lowercase spelling.
 */
export function normalizeCommitSha(sha: string): string {
  return sha.toLowerCase();
}

/**
 * Says what is wrong with a commit id of the given form, for an error message.
 *
 * @param sha - the commit id (already lowercased when it came from a user).
 * @param form - `full` (40 or 64 hex) or `abbreviated` (7 to 64 hex).
 * @returns `undefined` when valid, else e.g. `is not a full commit SHA (40 or 64 lowercase hex characters)`.
 */
export function commitShaProblem(sha: string, form: CommitShaForm): string | undefined {
  if (form === 'full') {
    return isFullCommitSha(sha) ? undefined : 'is not a full commit SHA (40 or 64 lowercase hex characters)';
  }
  return isAbbreviatedCommitSha(sha) ? undefined : 'is not a commit SHA (7 to 64 lowercase hex characters)';
}
