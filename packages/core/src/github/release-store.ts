import { toStoredRelease } from '../release/store.js';
import type { ReleaseStore } from '../release/store.js';
import type { GitHubClient } from './client.js';
import { githubTagStore } from './tag-store.js';

/**
 * The GitHub implementation of the release port ({@link ReleaseStore}) over a {@link GitHubClient}:
 * releases through the REST releases API, tags through git refs (`POST /git/refs` is the atomic tag
 * creation), `make_latest` supported
 * ({@link https://docs.github.com/en/rest/releases/releases | REST: Releases}).
 *
 * @param github - the GitHub adapter bound to the repository.
 * @param options - `serverUrl`: the web root (`GITHUB_SERVER_URL`), default `https://github.com`.
 * @returns the store; makes no request until called.
 * @example
 * ```ts
 * const store = githubReleaseStore(createGitHubClient({ token, repository: 'acme/app' }), { serverUrl: 'https://github.com' });
 * ```
 */
export function githubReleaseStore(github: GitHubClient, options: { serverUrl?: string } = {}): ReleaseStore {
  const serverUrl = (options.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const tags = githubTagStore(github);
  return {
    repository: `${github.owner}/${github.repo}`,
    webUrl: `${serverUrl}/${github.owner}/${github.repo}`,
    capabilities: { makeLatest: true },
    findReleaseByTag: async (tag) => {
      const found = await github.findReleaseByTag(tag);
      return found ? toStoredRelease(found) : undefined;
    },
    listReleases: async () => (await github.listReleases()).map(toStoredRelease),
    createOrUpdateRelease: async (input) => {
      const { release, created } = await github.createOrUpdateRelease({ ...input, makeLatest: input.makeLatest ?? 'true' });
      return { release: toStoredRelease(release), created };
    },
    publishDraft: async (id, publishOptions) => toStoredRelease(await github.publishDraft(Number(id), publishOptions)),
    tagExists: async (tag) => (await github.getRef(`tags/${tag}`)) !== undefined,
    listTags: async () => (await github.listMatchingRefs('tags/')).map((ref) => ref.ref.replace(/^refs\/tags\//, '')),
    createTag: tags.createTag,
    tagCommit: tags.tagCommit,
    listTagCommits: tags.listTagCommits,
    compareCommits: (base, head) => github.compareCommits(base, head),
  };
}

