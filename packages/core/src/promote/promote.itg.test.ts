import { clientFor, pushImage, readAccessLog, startRegistry } from '@tagwright/testkit';
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
