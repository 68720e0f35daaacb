import { pushIndex, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promote } from '../promote/promote.js';
import { createRegistryClient } from './client.js';
import type { RegistryClient } from './client.js';
import { copyImage } from './copy.js';
import { staticKeychain } from './keychain.js';
import type { RepositoryReference } from './reference.js';
import type { RequestEvent } from './transport.js';

/** Issue 16: token reuse across the repositories of one host, counted at the test registry's token server. */
describe('bearer tokens across repositories of one registry', () => {
  let registry: RunningRegistry;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  /** A fresh client (no token held) and the token requests it makes from now on. */
  const fresh = (): { client: RegistryClient; events: RequestEvent[]; asked: () => string[][] } => {
    const server = registry.tokenServer!;
    const before = server.requests.length;
    const events: RequestEvent[] = [];
    const client = createRegistryClient({ keychain: staticKeychain({ [registry.host]: registry.credentials! }), onRequest: (event) => events.push(event) });
    return { client, events, asked: () => server.requests.slice(before).map((request) => [...request.scopes].sort()) };
  };

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token' });
    await pushIndex(fresh().client, repo('tokens/staging'), { tag: '1.0.0', layerSizes: [1000, 1000, 1000] });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  describe('when an index is promoted into another repository', () => {
    it('asks for one token covering the source pull and the destination push (12 token requests before)', async () => {
      const { client, events, asked } = fresh();

      const report = await promote({ client, source: { ...repo('tokens/staging'), tag: '1.0.0' }, destination: repo('tokens/production'), targets: ['1.0.0', 'latest'], copyImage });

      expect(asked()).toEqual([['repository:tokens/production:pull,push', 'repository:tokens/staging:pull']]);
      // The first two requests (sent at once) meet the challenge; every other one carries the token.
      expect(events.filter((event) => event.status === 401)).toHaveLength(2);
      expect(report.targets.map((target) => target.after)).toEqual([report.digest, report.digest]);
    });
  });

  describe('when calls name repositories one after another, with no declaration', () => {
    it('asks each new token for the scopes held so far too, and reuses a token that covers a request', async () => {
      const { client, asked } = fresh();
      const manifest = await client.getManifest({ ...repo('tokens/staging'), tag: '1.0.0' });
      await client.listTags(repo('tokens/copy'));
      await copyImage(client, repo('tokens/staging'), repo('tokens/copy'), manifest);
      await client.putManifest(repo('tokens/copy'), 'v1', manifest);
      await client.resolveDigest({ ...repo('tokens/staging'), tag: '1.0.0' });
      await client.listTags(repo('tokens/copy'));

      expect(asked()).toEqual([
        ['repository:tokens/staging:pull'],
        ['repository:tokens/copy:pull', 'repository:tokens/staging:pull'],
        ['repository:tokens/copy:pull,push', 'repository:tokens/staging:pull'],
      ]);
    });
  });

  describe('when a declaration names a repository on another registry', () => {
    it('never puts it into this registry\'s token request', async () => {
      const { client, asked } = fresh();
      client.expectAccess?.([
        { repository: { registry: 'other.example', repository: 'tokens/elsewhere' }, actions: ['pull', 'push'] },
        { repository: repo('tokens/staging'), actions: ['pull'] },
      ]);

      await client.listTags(repo('tokens/staging'));

      expect(asked()).toEqual([['repository:tokens/staging:pull']]);
    });
  });
});
