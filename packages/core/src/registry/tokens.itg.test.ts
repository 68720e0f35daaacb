import { pushImage, pushIndex, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLLBACK_AUDIT_TEMPLATE } from '../policy/rollback.js';
import { promote } from '../promote/promote.js';
import { rollback } from '../rollback/rollback.js';
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

  describe('when a track is rolled back', () => {
    it('reads and writes with one token', async () => {
      const seeder = fresh().client;
      await pushImage(seeder, repo('tokens/rollback'), { tag: 'prod-20261101-aaaaaaa', seed: 'tokens-a' });
      const b = await pushImage(seeder, repo('tokens/rollback'), { tag: 'prod-20261110-bbbbbbb', seed: 'tokens-b' });
      await seeder.putManifest(repo('tokens/rollback'), 'prod', await seeder.getManifest({ ...repo('tokens/rollback'), digest: b.digest }));
      const { client, asked } = fresh();

      const report = await rollback(
        {
          image: repo('tokens/rollback'),
          track: 'prod',
          also: [],
          history: { pattern: 'prod-*', matches: (tag) => tag.startsWith('prod-'), stampTemplates: ['prod-{date}-{sha}'] },
          auditTemplate: ROLLBACK_AUDIT_TEMPLATE,
          dryRun: false,
          now: new Date('2026-11-22T10:15:30Z'),
        },
        { client },
      );

      expect(report.toTag).toBe('prod-20261101-aaaaaaa');
      expect(asked()).toEqual([['repository:tokens/rollback:pull,push']]);
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
