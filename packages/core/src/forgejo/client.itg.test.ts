import { FORGEJO_API_DESCRIPTION_MISSING, hasForgejoApiDescription, startForgejoApi, type ForgejoApi } from '@tagwright/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { createForgejoClient, FORGEJO_LATEST_EXPLANATION, type ForgejoClient } from './client.js';
import { ForgejoError, TagExistsError } from './errors.js';

const present = hasForgejoApiDescription();
if (!present) console.warn(FORGEJO_API_DESCRIPTION_MISSING);

const sha = (n: number): string => n.toString(16).padStart(40, 'c');
const author = { name: 'Ada Lovelace', email: 'ada@example.com' };

describe.skipIf(!present)('createForgejoClient', () => {
  let api: ForgejoApi;
  let forgejo: ForgejoClient;
  const client = (): ForgejoClient => createForgejoClient({ apiUrl: api.apiUrl, token: api.token, repository: `${api.owner}/${api.repo}`, retries: 1 });

  beforeEach(async () => {
    api = await startForgejoApi({ owner: 'acme', repo: 'app', token: 'fj_secret_token_123' });
    api.state.addCommits([
      { sha: sha(1), subject: 'feat: first', author, authoredAt: '2026-11-20T00:00:00Z' },
      { sha: sha(2), parents: [sha(1)], subject: 'fix: second (#12)', body: 'Longer text.\n\nCloses #3', author, authoredAt: '2026-11-21T00:00:00Z' },
      { sha: sha(3), parents: [sha(2)], subject: 'feat: third', author, authoredAt: '2026-11-22T00:00:00Z' },
    ]);
    api.state.addTag('v0.1.0', sha(1));
    forgejo = client();
  });

  afterEach(async () => {
    await api.stop();
    api.assertNoViolations();
  });

  describe('when releasing', () => {
    it('creates a release, finds it by tag, updates and lists it', async () => {
      expect(await forgejo.findReleaseByTag('v0.2.0')).toBeUndefined();
      const created = await forgejo.createRelease({ tag: 'v0.2.0', name: 'v0.2.0', body: 'notes', draft: true, prerelease: false, targetCommitish: sha(3) });
      expect(created).toMatchObject({ tagName: 'v0.2.0', name: 'v0.2.0', body: 'notes', draft: true, publishedAt: null, targetCommitish: sha(3) });
      expect(await forgejo.findReleaseByTag('v0.2.0')).toEqual(created);
      const published = await forgejo.updateRelease(created.id, { draft: false, body: 'final' });
      expect(published).toMatchObject({ id: created.id, draft: false, body: 'final' });
      expect(published.publishedAt).toMatch(/^\d{4}-/);
      expect(api.state.tags.get('v0.2.0')?.commitSha).toBe(sha(3));
      expect((await forgejo.listReleases()).map((r) => r.tagName)).toEqual(['v0.2.0']);
    });

    it('creates a pre-release', async () => {
      const release = await forgejo.createRelease({ tag: 'v0.2.0-rc.1', name: 'v0.2.0-rc.1', body: '', draft: false, prerelease: true, targetCommitish: sha(3) });
      expect(release).toMatchObject({ prerelease: true, draft: false, body: null });
      expect(api.state.tags.get('v0.2.0-rc.1')?.commitSha).toBe(sha(3));
    });

    it('says a second release of a tag exists', async () => {
      await forgejo.createRelease({ tag: 'v0.2.0', name: 'a', body: '', draft: false, prerelease: false });
      await expect(forgejo.createRelease({ tag: 'v0.2.0', name: 'b', body: '', draft: false, prerelease: false })).rejects.toMatchObject({
        name: 'ForgejoError',
        code: 'RELEASE_EXISTS',
        status: 409,
      });
    });

    it('lists every release across pages', async () => {
      for (let i = 0; i < 53; i++) await forgejo.createRelease({ tag: `v0.0.${i}`, name: `v0.0.${i}`, body: '', draft: true, prerelease: false });
      const all = await forgejo.listReleases();
      expect(all).toHaveLength(53);
      expect(api.requests.filter((r) => r.operationId === 'repoListReleases').map((r) => r.query.page)).toEqual(['1', '2']);
    });

    it('has no make-latest, and says what latest means', () => {
      expect(forgejo.capabilities).toEqual({ makeLatest: false, latestExplanation: FORGEJO_LATEST_EXPLANATION });
      expect(FORGEJO_LATEST_EXPLANATION).toMatch(/newest release that is neither a draft nor a pre-release, by date/);
    });
  });

  describe('when creating tags', () => {
    it('creates a tag and maps 409 to TagExistsError', async () => {
      expect(await forgejo.createTag('v0.2.0', sha(3))).toEqual({ name: 'v0.2.0', commitSha: sha(3), id: sha(3), message: '' });
      const error = await forgejo.createTag('v0.2.0', sha(2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TagExistsError);
      expect(error).toMatchObject({ code: 'TAG_EXISTS', status: 409, tag: 'v0.2.0' });
      expect((error as Error).message).toBe(`create tag v0.2.0 at ${sha(2)}: 409 the tag exists already`);
      expect(api.state.tags.get('v0.2.0')?.commitSha).toBe(sha(3));
    });

    it('creates an annotated tag and reads tags back', async () => {
      const tag = await forgejo.createTag('v0.3.0', sha(3), { message: 'release v0.3.0' });
      expect(tag.message).toBe('release v0.3.0');
      expect(tag.id).not.toBe(sha(3));
      expect(await forgejo.getTag('v0.3.0')).toEqual(tag);
      expect(await forgejo.getTag('v9.9.9')).toBeUndefined();
      expect((await forgejo.listTags()).map((t) => t.name).sort()).toEqual(['v0.1.0', 'v0.3.0']);
      expect(await forgejo.listRefs()).toEqual([
        { ref: 'refs/heads/main', sha: sha(3), type: 'commit' },
        { ref: 'refs/tags/v0.1.0', sha: sha(1), type: 'commit' },
        { ref: 'refs/tags/v0.3.0', sha: tag.id, type: 'tag' },
      ]);
    });

    it('lets exactly one of 20 concurrent creations win each name (the staging counter step)', async () => {
      const names = Array.from({ length: 5 }, (_, n) => `1.2.3-staging.${n}`);
      const attempts = Array.from({ length: 20 }, (_, i) => ({ tag: names[i % names.length]!, sha: sha(1 + (i % 3)) }));
      const outcomes = await Promise.all(
        attempts.map(({ tag, sha: at }) => client().createTag(tag, at).then(() => 'won' as const, (e: unknown) => (e instanceof TagExistsError ? ('taken' as const) : Promise.reject(e)))),
      );
      for (const name of names) {
        const won = attempts.filter((a, i) => a.tag === name && outcomes[i] === 'won');
        expect(won, name).toHaveLength(1);
        expect(api.state.tags.get(name)?.commitSha).toBe(won[0]!.sha);
      }
      expect(outcomes.filter((o) => o === 'taken')).toHaveLength(15);
    });

    it('reserves distinct staging N for 20 concurrent runs with a create-or-next loop', async () => {
      // The staging counter's reservation loop (core/github/staging.ts) over Forgejo's atomic tag creation.
      const reserve = async (at: string): Promise<number> => {
        const taken = (await client().listTags()).map((t) => /^1\.2\.3-staging\.(\d+)$/.exec(t.name)?.[1]).filter((n) => n !== undefined).map(Number);
        for (let n = taken.length > 0 ? Math.max(...taken) + 1 : 0; ; n++) {
          try {
            await client().createTag(`1.2.3-staging.${n}`, at);
            return n;
          } catch (error) {
            if (!(error instanceof TagExistsError)) throw error;
            const existing = await client().getTag(`1.2.3-staging.${n}`);
            if (existing?.commitSha === at) return n;
          }
        }
      };
      const commits = Array.from({ length: 20 }, (_, i) => sha(100 + i));
      api.state.addCommits(commits.map((s) => ({ sha: s, subject: `c ${s}`, author })));
      const ns = await Promise.all(commits.map(reserve));
      expect([...ns].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      commits.forEach((s, i) => expect(api.state.tags.get(`1.2.3-staging.${ns[i]}`)?.commitSha).toBe(s));
    });

    it('refuses a bad tag or commit before any request', async () => {
      await expect(forgejo.createTag('bad..tag', sha(1))).rejects.toBeInstanceOf(ConfigurationError);
      await expect(forgejo.createTag('v1', 'main')).rejects.toThrow(/commit "main" is not a full commit sha/);
      expect(api.requests).toEqual([]);
    });

    it('says 404 when the commit is unknown to Forgejo', async () => {
      await expect(forgejo.createTag('v1', 'f'.repeat(40))).rejects.toMatchObject({ name: 'ForgejoError', code: 'NOT_FOUND', status: 404 });
    });
  });

  describe('when comparing', () => {
    it('returns the commits of base...head newest first as CommitInfo', async () => {
      expect(await forgejo.compareCommits('v0.1.0', sha(3))).toEqual([
        { sha: sha(3), subject: 'feat: third', body: '', author, authoredAt: '2026-11-22T00:00:00Z', parents: [sha(2)] },
        { sha: sha(2), subject: 'fix: second (#12)', body: 'Longer text.\n\nCloses #3', author, authoredAt: '2026-11-21T00:00:00Z', parents: [sha(1)], prNumber: 12 },
      ]);
    });

    it('says 404 for an unknown ref', async () => {
      await expect(forgejo.compareCommits('v9', 'main')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('when the server fails', () => {
    it('retries a read after a 500', async () => {
      api.injectFailure({ operationId: 'repoListTags', status: 500 });
      expect(await forgejo.listTags()).toHaveLength(1);
    });

    it('does not retry a write, and never prints the token', async () => {
      api.injectFailure({ operationId: 'repoCreateTag', status: 500, message: `boom with token ${api.token}` });
      const error = await forgejo.createTag('v1', sha(1)).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ForgejoError', code: 'FORGEJO_ERROR', status: 500 });
      expect((error as Error).message).toBe(`create tag v1 at ${sha(1)}: 500 boom with token ***`);
      expect(JSON.stringify(error)).not.toContain(api.token);
      expect(api.requests.filter((r) => r.operationId === 'repoCreateTag')).toHaveLength(1);
    });

    it('says a wrong token is unauthorized', async () => {
      const wrong = createForgejoClient({ apiUrl: api.apiUrl, token: 'wrong', repository: 'acme/app' });
      await expect(wrong.listTags()).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    });

    it('says a timeout is a timeout', async () => {
      const stalled = createForgejoClient({
        apiUrl: api.apiUrl,
        token: api.token,
        repository: 'acme/app',
        retries: 0,
        timeoutMs: 50,
        fetch: (input, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
      });
      await expect(stalled.getTag('v0.1.0')).rejects.toMatchObject({ name: 'ForgejoError', code: 'TIMEOUT', status: 0 });
    });
  });

  describe('when the options are wrong', () => {
    it.each([
      [{ repository: 'acme' }, /expected owner\/repo/],
      [{ token: '' }, /the token is empty/],
      [{ apiUrl: 'https://u:p@code.example/api/v1' }, /not an http\(s\) URL without credentials/],
      [{ timeoutMs: 0 }, /timeoutMs 0 must be a positive integer/],
    ])('refuses %j', (override, message) => {
      expect(() => createForgejoClient({ apiUrl: api.apiUrl, token: api.token, repository: 'acme/app', ...override })).toThrow(message);
    });
  });

  it('is a ForgejoError hierarchy', () => {
    expect(new TagExistsError('x', 'm')).toBeInstanceOf(ForgejoError);
  });
});
