import { isAbbreviatedCommitSha, normalizeCommitSha } from '../grammar/commit-sha.js';

/** The OCI annotation and label naming the commit an image was built from. */
export const REVISION_KEY = 'org.opencontainers.image.revision';

/** Input of {@link builtCommit}. */
export interface BuiltCommitInput {
  /** The `sha` input when the user gave it explicitly; it always wins. */
  explicit?: string;
  /**
   * The image's `org.opencontainers.image.revision` (index or manifest annotation, else config label),
   * undefined when the image has none.
   */
  revision?: string;
  /** The workflow's commit (`github.sha`), the last resort. */
  workflow: string;
}

/** The commit {@link builtCommit} chose and why. */
export interface BuiltCommit {
  /** Lowercase hex commit sha (as given: 7 to 64 characters). */
  sha: string;
  /** Where it came from. */
  from: 'sha input' | typeof REVISION_KEY | 'workflow commit';
  /** For the summary when the workflow's commit was used, or the revision was unusable. */
  note?: string;
}

/**
 * Chooses the commit for `{sha}` in stamps, the rollback audit tag and a release's target commit: the
 * explicit `sha` input, else the image's {@link REVISION_KEY} (written by docker/metadata-action and
 * docker/build-push-action;
 * {@link https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys | image-spec annotations}),
 * else the workflow's commit with a note saying so. A revision that is not a commit sha (e.g. a branch
 * name) is ignored, with a note. Pure.
 *
 * @param input - see {@link BuiltCommitInput}.
 * @returns see {@link BuiltCommit}.
 */
export function builtCommit(input: BuiltCommitInput): BuiltCommit {
  if (input.explicit !== undefined && input.explicit.trim() !== '') return { sha: normalizeCommitSha(input.explicit.trim()), from: 'sha input' };
  const workflow = normalizeCommitSha(input.workflow.trim());
  if (input.revision === undefined || input.revision.trim() === '') {
    return { sha: workflow, from: 'workflow commit', note: `the image has no ${REVISION_KEY} label or annotation: {sha} is the workflow's commit ${workflow.slice(0, 7)}` };
  }
  const revision = normalizeCommitSha(input.revision.trim());
  if (!isAbbreviatedCommitSha(revision)) {
    return {
      sha: workflow,
      from: 'workflow commit',
      note: `the image's ${REVISION_KEY} ${JSON.stringify(input.revision)} is not a commit sha: {sha} is the workflow's commit ${workflow.slice(0, 7)}`,
    };
  }
  return { sha: revision, from: REVISION_KEY };
}

/**
 * Checks that the images of a release set were built from the commit chosen for it (the first image's
 * {@link REVISION_KEY}): names every image whose revision is another commit. Revisions that are absent
 * or not a commit sha are not compared; two shas agree when one is a prefix of the other
 * (`abc1234` and its full sha). Pure.
 *
 * @param chosen - the set's commit as {@link builtCommit} chose it, and the image it came from.
 * @param revisions - every image's revision (canonical image name → value, undefined when none).
 * @returns a warning naming each differing image and its commit (7 hex), or undefined when all agree.
 * @example
 * ```ts
 * setCommitMismatch({ sha: 'aaaaaaa…', image: 'r/api' }, { 'r/api': 'aaaaaaa…', 'r/web': 'bbbbbbb…' });
 * // 'the images were not all built from aaaaaaa (org.opencontainers.image.revision of r/api): r/web bbbbbbb; …'
 * ```
 */
export function setCommitMismatch(chosen: { sha: string; image: string }, revisions: Readonly<Record<string, string | undefined>>): string | undefined {
  const mine = normalizeCommitSha(chosen.sha);
  const differing = Object.entries(revisions).flatMap(([image, revision]) => {
    if (revision === undefined || image === chosen.image) return [];
    const theirs = normalizeCommitSha(revision.trim());
    if (!isAbbreviatedCommitSha(theirs) || theirs.startsWith(mine) || mine.startsWith(theirs)) return [];
    return [`${image} ${theirs.slice(0, 7)}`];
  });
  if (differing.length === 0) return undefined;
  return (
    `the images were not all built from ${mine.slice(0, 7)} (${REVISION_KEY} of ${chosen.image}): ${differing.join(', ')}; ` +
    `{sha} and the release's commit are ${mine.slice(0, 7)}; give sha to choose another`
  );
}
