import { toStoredRelease } from '../release/store.js';
import type { ReleaseStore, TagCommit } from '../release/store.js';
import type { ForgejoClient } from './client.js';
import { TagExistsError } from './errors.js';

/**
 * The Forgejo (and Gitea) implementation of the release port ({@link ReleaseStore}) over a
 * {@link ForgejoClient}: releases through `/repos/{owner}/{repo}/releases`, tags through
 * `/repos/{owner}/{repo}/tags` (`POST` answers 409 when the tag exists: the atomic step of the
 * staging counter), commits through `/compare/{base}...{head}`
 * ({@link https://forgejo.org/docs/latest/user/api-usage/ | Forgejo API}).
 *
 * Forgejo has no `make_latest`: `capabilities.makeLatest` is false, `makeLatest` in a write is
 * ignored, and `capabilities.latestExplanation` says what "latest" means there (the newest release
 * that is neither a draft nor a pre-release, by date).
 *
 * @param forgejo - the adapter bound to the repository (`createForgejoClient`).
 * @param options - `serverUrl`: the web root (`GITHUB_SERVER_URL` on a Forgejo runner); default: the
 *   API URL without its `/api/v1`.
 * @returns the store; makes no request until called. Its methods throw `ForgejoError` on an API failure.
 * @example
 * ```ts
 * const store = forgejoReleaseStore(createForgejoClient({ apiUrl: 'https://code.example/api/v1', token, repository: 'acme/app' }));
 * ```
 */
export function forgejoReleaseStore(forgejo: ForgejoClient, options: { serverUrl?: string } = {}): ReleaseStore {
  const serverUrl = (options.serverUrl ?? forgejo.apiUrl.replace(/\/api\/v1\/*$/, '')).replace(/\/+$/, '');
  const tagCommit = async (tag: string): Promise<string | undefined> => (await forgejo.getTag(tag))?.commitSha;
  return {
    repository: `${forgejo.owner}/${forgejo.repo}`,
    webUrl: `${serverUrl}/${forgejo.owner}/${forgejo.repo}`,
    capabilities: { makeLatest: false, latestExplanation: forgejo.capabilities.latestExplanation },
    findReleaseByTag: async (tag) => {
      const found = await forgejo.findReleaseByTag(tag);
      return found ? toStoredRelease(found) : undefined;
    },
    listReleases: async () => (await forgejo.listReleases()).map(toStoredRelease),
    createOrUpdateRelease: async (input) => {
      const existing = await forgejo.findReleaseByTag(input.tag);
      if (!existing) {
        const release = await forgejo.createRelease({
          tag: input.tag,
          name: input.name,
          body: input.body,
          draft: input.draft,
          prerelease: input.prerelease,
          ...(input.targetCommitish !== undefined ? { targetCommitish: input.targetCommitish } : {}),
        });
        return { release: toStoredRelease(release), created: true };
      }
      // Never turn a published release back into a draft on a re-run.
      const draft = existing.draft && input.draft;
      const release = await forgejo.updateRelease(existing.id, {
        name: input.name,
        body: input.body,
        draft,
        prerelease: input.prerelease,
        ...(existing.draft && input.targetCommitish !== undefined ? { targetCommitish: input.targetCommitish } : {}),
      });
      return { release: toStoredRelease(release), created: false };
    },
    publishDraft: async (id) => toStoredRelease(await forgejo.updateRelease(Number(id), { draft: false })),
    tagExists: async (tag) => (await tagCommit(tag)) !== undefined,
    listTags: async () => (await forgejo.listTags()).map((tag) => tag.name),
    createTag: async (tag, sha) => {
      try {
        await forgejo.createTag(tag, sha);
        return 'created';
      } catch (error: unknown) {
        if (error instanceof TagExistsError) return 'exists';
        throw error;
      }
    },
    tagCommit,
    listTagCommits: async (prefix) =>
      (await forgejo.listTags()).filter((tag) => tag.name.startsWith(prefix)).map((tag): TagCommit => ({ tag: tag.name, commitSha: tag.commitSha })),
    compareCommits: (base, head) => forgejo.compareCommits(base, head),
  };
}

