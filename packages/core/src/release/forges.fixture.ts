// Test fixture (not exported, not built): the two forge doubles behind the release port, so one
// contract test table runs against both (GitHub: the @octokit/openapi-validated double; Forgejo:
// the swagger.v1.json-validated double, skipped with a message when ../shared is absent).
import {
  FORGEJO_API_DESCRIPTION_MISSING,
  hasForgejoApiDescription,
  startForgejoApi,
  startGitHubApi,
} from '@tagwright/testkit';
import { createForgejoClient } from '../forgejo/client.js';
import { forgejoReleaseStore } from '../forgejo/release-store.js';
import { createGitHubClient } from '../github/client.js';
import { githubReleaseStore } from '../github/release-store.js';
import type { ReleaseStore } from './store.js';

/** One running forge double and how to reach and inspect it. */
export interface ForgeUnderTest {
  /** A new store (a new client each time, as concurrent jobs would have). */
  store(): ReleaseStore;
  /** Makes the commits known to the forge (Forgejo refuses tags at unknown commits). */
  seedCommits(shas: readonly string[]): void;
  /** The commit a tag points at in the double's state. */
  peel(tag: string): string | undefined;
  /** Every tag name in the double's state. */
  tagNames(): string[];
  /** Requests received so far. */
  requestCount(): number;
  stop(): Promise<void>;
}

/** A forge kind, whether its double can run here, and how to start it. */
export interface ForgeKind {
  name: 'github' | 'forgejo';
  skip: boolean;
  start(): Promise<ForgeUnderTest>;
}

const author = { name: 'Ada Lovelace', email: 'ada@example.com' };
const forgejoPresent = hasForgejoApiDescription();
if (!forgejoPresent) console.warn(FORGEJO_API_DESCRIPTION_MISSING);

/** The GitHub and Forgejo doubles. */
export const FORGES: ForgeKind[] = [
  {
    name: 'github',
    skip: false,
    start: async () => {
      const api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_secret_token_value' });
      return {
        store: () =>
          githubReleaseStore(createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: api.url, userAgent: 'tagwright-test', throttling: false }), {
            serverUrl: 'https://github.example.com/',
          }),
        seedCommits: () => undefined,
        peel: (tag) => api.state.peel(`refs/tags/${tag}`),
        tagNames: () => [...api.state.refs.keys()].filter((r) => r.startsWith('refs/tags/')).map((r) => r.slice('refs/tags/'.length)),
        requestCount: () => api.requests.length,
        stop: async () => {
          await api.stop();
          api.assertNoViolations();
        },
      };
    },
  },
  {
    name: 'forgejo',
    skip: !forgejoPresent,
    start: async () => {
      const api = await startForgejoApi({ owner: 'acme', repo: 'app', token: 'fj_secret_token_123' });
      return {
        store: () => forgejoReleaseStore(createForgejoClient({ apiUrl: api.apiUrl, token: api.token, repository: 'acme/app', retries: 0 })),
        seedCommits: (shas) => api.state.addCommits(shas.map((sha, i) => ({ sha, subject: `commit ${i}`, author }))),
        peel: (tag) => api.state.tags.get(tag)?.commitSha,
        tagNames: () => [...api.state.tags.keys()],
        requestCount: () => api.requests.length,
        stop: async () => {
          await api.stop();
          api.assertNoViolations();
        },
      };
    },
  },
];
