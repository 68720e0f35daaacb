import { clientFor, pushImage, readAccessLog, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartialMutationError, VerificationError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { promote } from './promote.js';
import type { PromoteReport } from './promote.js';

describe('promote', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  async function tagsOf(repository: RepositoryReference): Promise<Record<string, string>> {
    const result: Record<string, string> = {};
    for (const tag of (await client.listTags(repository)).sort()) result[tag] = (await client.resolveDigest({ ...repository, tag })).digest;
    return result;
  }

  describe('when another run deletes the manifest right after a target was written onto it', () => {
    it('finds the tag pointing at nothing on its re-read, writes it again and says so', async () => {
      const proxy = await startFaultProxy({ upstream: registry.url });
      try {
        const image = await pushImage(client, repo('race/app'), { tag: 'build' });
        // The re-read of prod is held by the proxy while the manifest is deleted, as a cleanup would.
        proxy.addRule({ method: 'HEAD', path: /\/race\/app\/manifests\/prod$/, count: { nth: 1 }, fault: { kind: 'delay', ms: 300 } });
        const running = promote({ client: clientFor({ host: proxy.host }), source: { registry: proxy.host, repository: 'race/app', digest: image.digest }, targets: ['prod'] });
        while (!proxy.log.some((entry) => entry.method === 'HEAD' && entry.path.endsWith('/race/app/manifests/prod'))) await new Promise((resolve) => setTimeout(resolve, 5));
        await client.deleteManifest(repo('race/app'), image.digest);

        const report = await running;

        expect(report.targets).toEqual([expect.objectContaining({ tag: 'prod', status: 'written', rewritten: true, after: image.digest })]);
        expect((await client.resolveDigest({ ...repo('race/app'), tag: 'prod' })).digest).toBe(image.digest);
        expect(proxy.log.filter((entry) => entry.method === 'PUT').map((entry) => entry.path)).toEqual(['/v2/race/app/manifests/prod', '/v2/race/app/manifests/prod']);
      } finally {
        await proxy.close();
      }
    });
  });

  describe('when one target write is refused by the registry', () => {
    it('attempts every other write and reports exactly what each tag now resolves to', async () => {
      const app = repo('promote/partial');
      const build = await pushImage(client, app, { tag: 'build', seed: 'partial-build' });
      const old = await pushImage(client, app, { tag: 'prod', seed: 'partial-old' });
      // A registry that denies the PUT of one tag (403 is not retried); everything else goes through.
      const denying = clientFor(registry, {
        fetch: async (input, init) => {
          const url = input instanceof Request ? input.url : String(input);
          if (init?.method === 'PUT' && url.endsWith('/manifests/prod')) {
            return new Response(JSON.stringify({ errors: [{ code: 'DENIED', message: 'tag is protected' }] }), {
              status: 403,
              headers: { 'content-type': 'application/json' },
            });
          }
          return fetch(input, init);
        },
      });

      const error = await promote({ client: denying, source: { ...app, tag: 'build' }, targets: ['1.0.0', 'prod', 'stable'] }).catch(
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(PartialMutationError);
      expect((error as PartialMutationError).code).toBe('PARTIAL_MUTATION');
      expect((error as Error).message).toMatch(/^promote \S+\/promote\/partial:build to \S+\/promote\/partial: .*(denied|protected)/i);
      const report = (error as PartialMutationError<PromoteReport>).report;
      expect(report.digest).toBe(build.digest);
      expect(report.targets).toEqual([
        { tag: '1.0.0', before: null, after: build.digest, status: 'written' },
        { tag: 'prod', before: old.digest, after: old.digest, status: 'failed' },
        { tag: 'stable', before: null, after: build.digest, status: 'written' },
      ]);
      expect(await tagsOf(app)).toEqual({ '1.0.0': build.digest, build: build.digest, prod: old.digest, stable: build.digest });
    });
  });

  describe('when the verification hook refuses the digest', () => {
    it('writes nothing, not even into the destination repository of a cross-repository promotion', async () => {
      const staging = repo('promote/verify-staging');
      const production = repo('promote/verify-production');
      const build = await pushImage(client, staging, { tag: 'build', seed: 'verify-build' });
      const writesBefore = (await readAccessLog(registry)).filter((entry) => entry.method !== 'GET' && entry.method !== 'HEAD').length;
      let copied = false;

      const error = await promote({
        client,
        source: { ...staging, tag: 'build' },
        destination: production,
        targets: ['prod'],
        verify: async (digest) => {
          throw new VerificationError('NO_SIGNATURE', `verify ${digest}: no signature`);
        },
        copyImage: async () => {
          copied = true;
          throw new Error('copyImage must not run');
        },
      }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(VerificationError);
      expect((error as VerificationError).message).toBe(`verify ${build.digest}: no signature`);
      expect(copied).toBe(false);
      const writesAfter = (await readAccessLog(registry)).filter((entry) => entry.method !== 'GET' && entry.method !== 'HEAD').length;
      expect(writesAfter).toBe(writesBefore);
      expect(await client.listTags(production).catch(() => [])).toEqual([]);
    });
  });
});
