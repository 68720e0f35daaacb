import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FORGEJO_API_DESCRIPTION_MISSING, hasForgejoApiDescription, startForgejoApi } from '@tagwright/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { detectForge } from './detect.js';

const present = hasForgejoApiDescription();
if (!present) console.warn(FORGEJO_API_DESCRIPTION_MISSING);

/** A local HTTP server that is not a forge: answers every request with `status` and `body`. */
async function startOther(status: number, body: string): Promise<{ url: string; seen: Array<string | undefined>; close: () => Promise<void> }> {
  const seen: Array<string | undefined> = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

describe('detectForge', () => {
  describe.skipIf(!present)('when the server is a Forgejo', () => {
    it('answers forgejo from GET /api/v1/version, sent without a token', async () => {
      const forgejo = await startForgejoApi();
      stops.push(forgejo.stop);
      const detection = await detectForge({ serverUrl: forgejo.serverUrl, apiUrl: forgejo.apiUrl });
      expect(detection).toEqual({
        forge: 'forgejo',
        serverUrl: forgejo.serverUrl,
        apiUrl: forgejo.apiUrl,
        version: '11.0.3+gitea-1.22.0',
        flavor: 'forgejo',
        reason: `GET ${forgejo.apiUrl}/version answered Forgejo 11.0.3+gitea-1.22.0`,
      });
      expect(forgejo.requests).toMatchObject([{ operationId: 'getVersion', sentAuthorization: false }]);
      forgejo.assertNoViolations();
    });

    it('answers forgejo for a Gitea version too', async () => {
      const gitea = await startForgejoApi({ version: '1.22.0' });
      stops.push(gitea.stop);
      await expect(detectForge({ serverUrl: gitea.serverUrl })).resolves.toMatchObject({ forge: 'forgejo', flavor: 'gitea' });
    });
  });

  describe('when the server is not a forge', () => {
    it.each([
      [404, 'Not Found', /answered 404/],
      [200, '<html>hello</html>', /a body that is not JSON/],
      [200, '{"name":"something"}', /answered no Forgejo\/Gitea version/],
    ])('fails closed on %i %j without sending a credential', async (status, body, message) => {
      const other = await startOther(status, body);
      stops.push(other.close);
      const error = await detectForge({ serverUrl: other.url }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ code: 'FORGE_UNKNOWN' });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/Set the input forge to github or forgejo/);
      expect(other.seen).toEqual([undefined]);
    });

    it('fails closed when nothing listens', async () => {
      const other = await startOther(200, '');
      await other.close();
      const error = await detectForge({ serverUrl: other.url }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'FORGE_UNKNOWN' });
      expect((error as Error).message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/version failed/);
    });
  });
});
