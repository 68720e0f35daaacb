import type { TagStore } from '../release/store.js';
import { GitHubError, type GitHubClient } from './client.js';

/** The part of the GitHub adapter the tag port uses. */
export type GitHubTagApi = Pick<GitHubClient, 'createTagRef' | 'getRef' | 'listMatchingRefs'>;

/**
 * The git-tag port ({@link TagStore}) over GitHub's git refs: `POST /repos/{owner}/{repo}/git/refs`
 * is the atomic creation (422 "Reference already exists" → `exists`)
 * ({@link https://docs.github.com/en/rest/git/refs | REST: Git references}).
 *
 * @param github - the adapter (`createGitHubClient`); only `createTagRef`, `getRef` and `listMatchingRefs` are used.
 * @returns the port; makes no request until called.
 * @throws nothing itself; its methods throw {@link GitHubError} on an API failure other than "exists".
 */
export function githubTagStore(github: GitHubTagApi): TagStore {
  return {
    createTag: async (tag, sha) => {
      try {
        await github.createTagRef(tag, sha);
        return 'created';
      } catch (error: unknown) {
        if (error instanceof GitHubError && error.code === 'REF_EXISTS') return 'exists';
        throw error;
      }
    },
    tagCommit: async (tag) => (await github.getRef(`tags/${tag}`))?.commitSha,
    listTagCommits: async (prefix) => {
      const out = [];
      for (const ref of await github.listMatchingRefs(`tags/${prefix}`)) {
        const tag = ref.ref.replace(/^refs\/tags\//, '');
        // listMatchingRefs peels commit refs only; read an annotated tag to peel it.
        const commitSha = ref.commitSha ?? (await github.getRef(`tags/${tag}`))?.commitSha;
        if (commitSha !== undefined) out.push({ tag, commitSha });
      }
      return out;
    },
  };
}
