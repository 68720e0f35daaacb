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
