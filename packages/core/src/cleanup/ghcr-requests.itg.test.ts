/**
 * Cleanup of a GHCR package through the Packages API double (GitHub's OpenAPI description checks every
 * request): what it costs in API requests and registry reads. A change that adds a request per version
 * fails here.
 */
import { pushTinyImageBlobs, putTinyImage, startFaultProxy, startGitHubApi, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, GitHubApi, RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../github/client.js';
import { createRegistryClient } from '../registry/client.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { ghcrRetentionBackend } from './backends.js';
import { cleanup } from './cleanup.js';

const minute = (i: number): string => new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString().replace(/\.000Z$/, 'Z');

/**
 * A package of `count` versions, oldest first: even ones tagged `sha-<hex>` (an image in the registry),
 * odd ones untagged (superseded builds; never read while delete-untagged is off). The versions go
 * straight into the double's state.
 */
async function seedPackage(api: GitHubApi, client: RegistryClient, repo: RepositoryReference, count: number): Promise<void> {
  const blobs = await pushTinyImageBlobs(client, repo);
  const [org = '', ...rest] = repo.repository.split('/');
  const owner = { org };
  const put = async (i: number): Promise<void> => {
    const tag = `sha-${i.toString(16).padStart(7, '0')}`;
    const digest = await putTinyImage(client, repo, [tag], { blobs, created: minute(i) });
    api.state.addPackageVersion(owner, rest.join('/'), { digest, tags: [tag], createdAt: minute(i) });
    api.state.addPackageVersion(owner, rest.join('/'), { digest: `sha256:${(i + 1).toString(16).padStart(64, 'f')}`, createdAt: minute(i) });
  };
  for (let i = 0; i < count / 2; i += 20) await Promise.all(Array.from({ length: Math.min(20, count / 2 - i) }, (_, j) => put(i + j)));
}

describe('cleanup of a GHCR package (Packages API double)', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let api: GitHubApi;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy({ upstream: registry.url });
    api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_ghcr_requests' });
  });
  afterAll(async () => {
    await api?.stop();
    await proxy?.close();
    await registry?.stop();
  });

  /** Cleans package `name` of 1,000 versions keeping the 490 newest `sha-*`; returns the requests it sent. */
  async function clean(name: string, dryRun: boolean): Promise<{ api: Record<string, number>; registryReads: number; deleted: number; planned: number }> {
    await seedPackage(api, createRegistryClient(), { registry: registry.host, repository: `acme/${name}` }, 1000);
    const repo: RepositoryReference = { registry: proxy.host, repository: `acme/${name}` };
    const apiBefore = api.requests.length;
    const registryBefore = proxy.log.length;
    const report = await cleanup(
      { image: repo, policy: { keep: [{ pattern: 'sha-*', count: 490 }] }, trigger: { mode: 'scheduled' }, dryRun, now: new Date('2026-06-01T00:00:00Z') },
      {
        backend: () =>
          ghcrRetentionBackend({
            github: createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: api.url, throttling: false }),
            client: createRegistryClient(),
            repo,
          }),
      },
    );
    const byOperation: Record<string, number> = {};
    for (const call of api.requests.slice(apiBefore)) {
      const operation = (call.operationId ?? call.path).replace(/^packages\//, '');
      byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    }
    api.assertNoViolations();
    return { api: byOperation, registryReads: proxy.log.length - registryBefore, deleted: report.execution?.deleted.length ?? 0, planned: report.plan.delete.length };
  }

  describe('when one version is read again (the re-read before each delete)', () => {
    it('answers its tags now, and undefined once it is gone', async () => {
      const github = createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: api.url, throttling: false });
      const version = api.state.addPackageVersion({ org: 'acme' }, 'one', { digest: `sha256:${'a'.repeat(64)}`, tags: ['sha-1234567'] });
      expect(await github.getPackageVersion({ org: 'acme' }, 'one', version.id)).toMatchObject({ id: version.id, digest: version.name, tags: ['sha-1234567'] });
      // GitHub answers 404 for a version that is gone; its description declares only 200 here, so the
      // answer is injected (injected replies are not checked against the description).
      api.injectFailure({ operationId: 'packages/get-package-version-for-organization', status: 404, message: 'Package not found.' });
      expect(await github.getPackageVersion({ org: 'acme' }, 'one', version.id)).toBeUndefined();
      api.assertNoViolations();
    });
  });

  describe('when 10 of 1,000 versions (10 pages of 100, 500 tagged) go', () => {
    it('dry run: lists the 10 pages and reads each tagged manifest once, nothing per untagged version', async () => {
      const { api: calls, registryReads, planned } = await clean('dry', true);
      expect(planned).toBe(10);
      expect(calls).toEqual({ 'get-all-package-versions-for-package-owned-by-org': 10 });
      expect(registryReads).toBe(500);
    });

    it('deletes with pages + 2 × deletes + pages after API requests: the listing, one version re-read before each DELETE and the DELETE, one listing after the last', async () => {
      const { api: calls, registryReads, deleted } = await clean('app', false);
      expect(deleted).toBe(10);
      expect(calls).toEqual({
        'get-all-package-versions-for-package-owned-by-org': 10 + 10,
        'get-package-version-for-organization': 10,
        'delete-package-version-for-org': 10,
      });
      expect(registryReads).toBe(500);
    });
  });
});
