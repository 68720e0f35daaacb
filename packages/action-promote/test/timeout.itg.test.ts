import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, pushImage, runActionYml, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, RunningRegistry } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'promote');
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

/** Issue 11 item 7: the overall `timeout` input stops a run that a hung registry would block forever. */
describe('promote action with a timeout, through the fault proxy', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let client: RegistryClient;
  const at = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  const state = async (repository: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const tag of (await client.listTags(at(repository))).sort()) out[tag] = (await client.resolveDigest({ ...at(repository), tag })).digest;
    return out;
  };

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy({ upstream: registry.url });
    client = clientFor(registry);
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  describe('when the registry never answers the PUT of one target', () => {
    it('stops at the timeout and prints the exact partial report, re-read from the registry', async () => {
      const image = await pushImage(client, at('acme/hang'), { tag: 'build' });
      proxy.addRule({ method: 'PUT', path: /\/acme\/hang\/manifests\/prod$/, fault: { kind: 'hang' } });

      const result = await runActionYml(action, {
        inputs: { image: `${proxy.host}/acme/hang`, source: 'build', targets: 'prod, stable', timeout: '3s' },
        github: { ref: 'refs/tags/1.4.0', sha },
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(/::error::promote .*acme\/hang@?.*/);
      expect(result.summary).toContain('## Failed part way');
      const report = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(result.summary)![1]!) as {
        targets: Array<{ tag: string; before: string | null; after: string | null; status: string }>;
      };
      // The second client re-read both tags: stable was written, prod never reached the registry.
      expect(report.targets).toEqual([
        { tag: 'prod', before: null, after: null, status: 'failed' },
        { tag: 'stable', before: null, after: image.digest, status: 'written' },
      ]);
      expect(await state('acme/hang')).toEqual({ build: image.digest, stable: image.digest });
    });
  });

  describe('when the timeout input is malformed', () => {
    it('names the input and gives a valid value before any request', async () => {
      const result = await runActionYml(action, {
        inputs: { image: `${proxy.host}/acme/hang`, source: 'build', targets: 'prod', timeout: 'soon' },
        github: { ref: 'refs/tags/1.4.0', sha },
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain('::error::Configuration error: read input timeout: "soon" is not a duration (a number with s, m or h, or ISO 8601 like PT5M), e.g. 5m');
    });
  });
});
