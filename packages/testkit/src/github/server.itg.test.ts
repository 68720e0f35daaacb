import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubApi, type GitHubApi } from './server.js';

let api: GitHubApi;
const call = async (method: string, path: string, body?: unknown, token: string | null = api.token): Promise<{ status: number; body: unknown; headers: Headers }> => {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
};
const sha = 'e'.repeat(40);

beforeEach(async () => {
  api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_double' });
});

afterEach(async () => {
  await api.stop();
});

describe('startGitHubApi', () => {
  describe('when requests follow the GitHub API', () => {
    it('answers them with valid responses and records them', async () => {
      expect((await call('POST', '/repos/acme/app/git/refs', { ref: 'refs/tags/v1.0.0', sha })).status).toBe(201);
      // A raw slash in the ref works as on GitHub.
      expect((await call('GET', '/repos/acme/app/git/ref/tags/v1.0.0')).body).toMatchObject({ ref: 'refs/tags/v1.0.0', object: { sha } });
      expect(api.requests.map((r) => [r.operationId, r.status])).toEqual([
        ['git/create-ref', 201],
        ['git/get-ref', 200],
      ]);
      expect(api.violations).toEqual([]);
    });

    it('answers a duplicate ref with the 422 GitHub sends', async () => {
      await call('POST', '/repos/acme/app/git/refs', { ref: 'refs/tags/v1.0.0', sha });
      const second = await call('POST', '/repos/acme/app/git/refs', { ref: 'refs/tags/v1.0.0', sha });
      expect(second).toMatchObject({ status: 422, body: { message: 'Reference already exists' } });
      expect(api.violations).toEqual([]);
    });

    it('paginates package versions with a Link header', async () => {
      for (let i = 0; i < 5; i++) api.state.addPackageVersion({ org: 'acme' }, 'app', { digest: `sha256:${String(i).repeat(64)}` });
      const first = await call('GET', '/orgs/acme/packages/container/app/versions?per_page=2');
      expect(first.body).toHaveLength(2);
      expect(first.headers.get('link')).toContain('rel="next"');
      expect(first.headers.get('link')).toContain('page=3>; rel="last"');
      const last = await call('GET', '/orgs/acme/packages/container/app/versions?per_page=2&page=3');
      expect(last.body).toHaveLength(1);
      expect(last.headers.get('link')).not.toContain('rel="next"');
      expect(api.violations).toEqual([]);
    });
  });

  describe('when a request breaks the description', () => {
    it.each([
      ['a body missing a required field', 'POST', '/repos/acme/app/git/refs', { ref: 'refs/tags/x' }, 'request', 422],
      ['a wrong type', 'POST', '/repos/acme/app/releases', { tag_name: 1 }, 'request', 422],
      ['an unknown query parameter', 'GET', '/repos/acme/app/releases?color=red', undefined, 'request', 422],
      ['an invalid enum', 'POST', '/repos/acme/app/releases', { tag_name: 'v1', make_latest: 'yes' }, 'request', 422],
      ['unparsable JSON', 'POST', '/repos/acme/app/git/refs', '{', 'bad-json', 400],
      ['a path GitHub does not have', 'GET', '/repos/acme/app/no-such-thing', undefined, 'unknown-operation', 404],
      ['an operation the double lacks', 'GET', '/repos/acme/app/issues', undefined, 'not-implemented', 501],
    ])('answers %s with an error and records a violation', async (_what, method, path, body, kind, status) => {
      expect((await call(method, path, body)).status).toBe(status);
      expect(api.violations.map((v) => v.kind)).toEqual([kind]);
      expect(() => api.assertNoViolations()).toThrow('violation');
    });
  });

  describe('when the double itself would answer wrongly', () => {
    it('records the response violation', async () => {
      const record = api.state.addPackageVersion({ org: 'acme' }, 'app', { digest: 'sha256:x' });
      (record as unknown as { id: string }).id = 'not-a-number';
      await call('GET', '/orgs/acme/packages/container/app/versions');
      expect(api.violations).toMatchObject([{ kind: 'response', operationId: 'packages/get-all-package-versions-for-package-owned-by-org', status: 200 }]);
    });
  });

  describe('when the token is missing or wrong', () => {
    it.each([
      [null, 'Requires authentication'],
      ['other', 'Bad credentials'],
    ])('answers 401 (%s)', async (token, message) => {
      expect(await call('GET', '/repos/acme/app/releases', undefined, token)).toMatchObject({ status: 401, body: { message } });
    });
  });
});
