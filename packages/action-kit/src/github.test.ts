import { describe, expect, it } from 'vitest';
import { createReleaseStore } from './github.js';
import type { WorkflowContext } from './context.js';

const TOKEN = 'forgejo_secret_token_value';

/** A fetch that records what it was asked and answers `reply`; never touches the network. */
function recordingFetch(reply: () => Response) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), headers: Object.fromEntries(new Headers(init?.headers).entries()) });
    return reply();
  }) satisfies typeof globalThis.fetch;
  return { fetch, calls };
}

const runtime = (context: Partial<WorkflowContext>) => ({
  context: { serverUrl: 'https://github.com', repository: 'acme/app', ...context },
  warning: () => undefined,
  info: () => undefined,
});

describe('createReleaseStore', () => {
  describe('when the workflow runs on github.com', () => {
    it('picks GitHub without a request, with make_latest', async () => {
      const { fetch, calls } = recordingFetch(() => new Response('{}'));
      const { store, detection } = await createReleaseStore(runtime({}), { token: TOKEN, userAgent: 't', purpose: 'create the release', forge: 'auto', fetch });
      expect(detection.forge).toBe('github');
      expect(store.capabilities.makeLatest).toBe(true);
      expect(calls).toEqual([]);
    });
  });

  describe('when a Forgejo runner sets GITHUB_SERVER_URL and GITHUB_API_URL=<server>/api/v1', () => {
    it('asks /api/v1/version without the token, then gives the Forgejo store', async () => {
      const { fetch, calls } = recordingFetch(() => new Response(JSON.stringify({ version: '11.0.3+gitea-1.22.0' }), { headers: { 'content-type': 'application/json' } }));
      const { store, detection } = await createReleaseStore(runtime({ serverUrl: 'https://code.example', apiUrl: 'https://code.example/api/v1' }), {
        token: TOKEN, userAgent: 't', purpose: 'create the release', forge: 'auto', fetch,
      });
      expect(detection).toMatchObject({ forge: 'forgejo', apiUrl: 'https://code.example/api/v1' });
      expect(store).toMatchObject({ repository: 'acme/app', webUrl: 'https://code.example/acme/app', capabilities: { makeLatest: false } });
      expect(store.capabilities.latestExplanation).toMatch(/by date/);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.url).toBe('https://code.example/api/v1/version');
      expect(JSON.stringify(calls[0]!.headers)).not.toContain(TOKEN);
      expect(calls[0]!.headers.authorization).toBeUndefined();
    });
  });

  describe('when the forge cannot be told', () => {
    it.each([
      ['the version probe answers 404', { serverUrl: 'https://code.example' }, () => new Response('not found', { status: 404 })],
      ['the probe answers HTML', { serverUrl: 'https://code.example' }, () => new Response('<html></html>')],
      ['the API URL is neither GitHub nor <server>/api/v1', { serverUrl: 'https://code.example', apiUrl: 'https://code.example/api/v4' }, () => new Response('{}')],
    ])('fails closed naming the forge input when %s, and never sends the token', async (_what, context, reply) => {
      const { fetch, calls } = recordingFetch(reply);
      const run = createReleaseStore(runtime(context), { token: TOKEN, userAgent: 't', purpose: 'create the release', forge: 'auto', fetch });
      await expect(run).rejects.toMatchObject({ name: 'ConfigurationError', code: 'FORGE_UNKNOWN' });
      await expect(run).rejects.toThrow(/Set the input forge to github or forgejo/);
      for (const call of calls) expect(JSON.stringify(call.headers)).not.toContain(TOKEN);
    });
  });

  describe('when forge is given', () => {
    it('forgejo uses <server>/api/v1 without a probe', async () => {
      const { fetch, calls } = recordingFetch(() => new Response('{}'));
      const { detection } = await createReleaseStore(runtime({ serverUrl: 'https://code.example' }), { token: TOKEN, userAgent: 't', purpose: 'x', forge: 'forgejo', fetch });
      expect(detection).toMatchObject({ forge: 'forgejo', apiUrl: 'https://code.example/api/v1' });
      expect(calls).toEqual([]);
    });
  });
});
