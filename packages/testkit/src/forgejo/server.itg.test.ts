import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FORGEJO_API_DESCRIPTION_MISSING, hasForgejoApiDescription } from './openapi.js';
import { startForgejoApi, type ForgejoApi } from './server.js';

const present = hasForgejoApiDescription();
if (!present) console.warn(FORGEJO_API_DESCRIPTION_MISSING);

const author = { name: 'Ada Lovelace', email: 'ada@example.com' };
const sha = (c: string): string => c.repeat(40);

describe.skipIf(!present)('startForgejoApi', () => {
  let api: ForgejoApi;
  const call = async (method: string, path: string, body?: unknown, token: string | null = api.token): Promise<{ status: number; body: unknown; headers: Headers }> => {
    const response = await fetch(`${api.apiUrl}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(token ? { authorization: `token ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };

  beforeEach(async () => {
    api = await startForgejoApi({ owner: 'acme', repo: 'app', token: 'fj_double', now: () => new Date('2026-11-22T03:00:00Z') });
    api.state.addCommits([
      { sha: sha('a'), subject: 'feat: first', author, authoredAt: '2026-11-20T00:00:00Z' },
      { sha: sha('b'), parents: [sha('a')], subject: 'fix: second', body: 'Closes #3', author, authoredAt: '2026-11-21T00:00:00Z' },
      { sha: sha('c'), parents: [sha('b')], subject: 'feat: third', author, authoredAt: '2026-11-22T00:00:00Z' },
    ]);
    api.state.addTag('v0.1.0', sha('a'));
  });

  afterEach(async () => {
    await api.stop();
  });

  describe('when requests follow the Forgejo API', () => {
    it('answers the version without a token', async () => {
      expect(await call('GET', '/version', undefined, null)).toMatchObject({ status: 200, body: { version: '11.0.3+gitea-1.22.0' } });
      expect(api.requests[0]).toMatchObject({ operationId: 'getVersion', sentAuthorization: false });
      api.assertNoViolations();
    });

    it('creates a tag once and answers 409 for the same name again', async () => {
      const first = await call('POST', '/repos/acme/app/tags', { tag_name: 'v0.2.0', target: sha('c') });
      expect(first).toMatchObject({ status: 201, body: { name: 'v0.2.0', id: sha('c'), commit: { sha: sha('c') } } });
      const second = await call('POST', '/repos/acme/app/tags', { tag_name: 'v0.2.0', target: sha('b') });
      expect(second.status).toBe(409);
      expect(api.state.tags.get('v0.2.0')?.commitSha).toBe(sha('c'));
      expect((await call('GET', '/repos/acme/app/tags/v0.2.0')).body).toMatchObject({ name: 'v0.2.0' });
      expect((await call('GET', '/repos/acme/app/tags/v9')).status).toBe(404);
      api.assertNoViolations();
    });

    it('lets exactly one of concurrent creations of a name win', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => call('POST', '/repos/acme/app/tags', { tag_name: 'race', target: 'main' })));
      expect(results.map((r) => r.status).sort()).toEqual([201, ...Array<number>(9).fill(409)]);
      api.assertNoViolations();
    });

    it('answers 404 for a tag target that does not exist', async () => {
      expect((await call('POST', '/repos/acme/app/tags', { tag_name: 'v1', target: sha('f') })).status).toBe(404);
      api.assertNoViolations();
    });

    it('creates, finds, lists and edits releases; publishing creates the tag', async () => {
      const created = await call('POST', '/repos/acme/app/releases', { tag_name: 'v0.2.0', target_commitish: sha('c'), name: 'v0.2.0', body: 'notes', draft: true });
      expect(created).toMatchObject({ status: 201, body: { tag_name: 'v0.2.0', draft: true, prerelease: false } });
      expect(api.state.tags.has('v0.2.0')).toBe(false);
      const id = (created.body as { id: number }).id;
      expect((await call('GET', '/repos/acme/app/releases/tags/v0.2.0')).body).toMatchObject({ id });
      expect((await call('POST', '/repos/acme/app/releases', { tag_name: 'v0.2.0' })).status).toBe(409);
      const edited = await call('PATCH', `/repos/acme/app/releases/${id}`, { draft: false, body: 'final notes' });
      expect(edited).toMatchObject({ status: 200, body: { draft: false, body: 'final notes' } });
      expect(api.state.tags.get('v0.2.0')?.commitSha).toBe(sha('c'));
      expect((await call('GET', `/repos/acme/app/releases/${id}`)).body).toMatchObject({ id, draft: false });
      const list = await call('GET', '/repos/acme/app/releases?limit=1');
      expect(list.body).toHaveLength(1);
      expect(list.headers.get('x-total-count')).toBe('1');
      expect((await call('GET', '/repos/acme/app/releases/999')).status).toBe(404);
      api.assertNoViolations();
    });

    it('compares two refs newest first and lists git refs', async () => {
      const compare = await call('GET', `/repos/acme/app/compare/v0.1.0...${sha('c')}`);
      expect(compare.status).toBe(200);
      const body = compare.body as { total_commits: number; commits: Array<{ sha: string; commit: { message: string } }> };
      expect(body.total_commits).toBe(2);
      expect(body.commits.map((c) => c.sha)).toEqual([sha('c'), sha('b')]);
      expect(body.commits[1]!.commit.message).toBe('fix: second\n\nCloses #3\n');
      const refs = await call('GET', '/repos/acme/app/git/refs');
      expect((refs.body as Array<{ ref: string }>).map((r) => r.ref)).toEqual(['refs/heads/main', 'refs/tags/v0.1.0']);
      api.assertNoViolations();
    });

    it('paginates tags with limit and page', async () => {
      for (let i = 0; i < 4; i++) api.state.addTag(`t${i}`, sha('c'));
      const first = await call('GET', '/repos/acme/app/tags?limit=2&page=1');
      expect(first.body).toHaveLength(2);
      expect(first.headers.get('x-total-count')).toBe('5');
      expect(first.headers.get('link')).toContain('rel="next"');
      expect((await call('GET', '/repos/acme/app/tags?limit=2&page=3')).body).toHaveLength(1);
      api.assertNoViolations();
    });
  });

  describe('when requests break the rules', () => {
    it('refuses a missing or wrong token with 401 on repository endpoints', async () => {
      expect((await call('GET', '/repos/acme/app/tags', undefined, null)).status).toBe(401);
      expect((await call('GET', '/repos/acme/app/tags', undefined, 'wrong')).status).toBe(401);
      api.assertNoViolations();
    });

    it('records a body that breaks the description and answers 422', async () => {
      expect((await call('POST', '/repos/acme/app/tags', { target: 'main' })).status).toBe(422);
      expect(api.violations).toMatchObject([{ kind: 'request', operationId: 'repoCreateTag' }]);
    });

    it('records a path of another API (GitHub) as an unknown operation', async () => {
      const response = await fetch(`${api.serverUrl}/api/v3/repos/acme/app/git/refs`, { method: 'POST', headers: { authorization: `token ${api.token}` } });
      expect(response.status).toBe(404);
      expect(api.violations).toMatchObject([{ kind: 'unknown-operation' }]);
    });

    it('records an operation it does not implement', async () => {
      expect((await call('DELETE', '/repos/acme/app/tags/v0.1.0')).status).toBe(501);
      expect(api.violations).toMatchObject([{ kind: 'not-implemented', operationId: 'repoDeleteTag' }]);
    });

    it('answers an injected failure', async () => {
      api.injectFailure({ operationId: 'repoListTags', status: 500 });
      expect((await call('GET', '/repos/acme/app/tags')).status).toBe(500);
      expect((await call('GET', '/repos/acme/app/tags')).status).toBe(200);
    });
  });
});
