import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, pushImage, runActionYml, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, RunningRegistry } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'promote');
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

/**
 * Issue 11 through the action, the way the runner runs it, with the fault proxy between the action
 * and a real registry.
 */
describe('promote action through the fault proxy', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let client: RegistryClient;
  const at = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  const state = async (repository: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const tag of (await client.listTags(at(repository))).sort()) out[tag] = (await client.resolveDigest({ ...at(repository), tag })).digest;
    return out;
  };
  const run = (repository: string, inputs: Record<string, string>) =>
    runActionYml(action, {
      inputs: {
        image: `${proxy.host}/${repository}`,
        username: registry.credentials!.username,
        password: registry.credentials!.password,
        ...inputs,
      },
      github: { ref: 'refs/tags/1.4.0', sha },
    });

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    proxy = await startFaultProxy({ upstream: registry.url });
    client = clientFor(registry);
  });

  afterEach(() => {
    proxy.clearRules();
  });

  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  describe('when the registry echoes the decoded user:password in the error of one write', () => {
    it('fails with the partial report, and neither the log nor the step summary carries the password', async () => {
      const image = await pushImage(client, at('acme/echo'), { tag: 'build' });
      proxy.addRule({ method: 'PUT', path: /\/acme\/echo\/manifests\/prod$/, fault: { kind: 'echo-authorization', status: 403 } });
      const { username, password } = registry.credentials!;

      const result = await run('acme/echo', { source: 'build', targets: 'prod, stable' });

      expect(result.exitCode).toBe(1);
      const printed = result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
      expect(printed.join('\n') + result.stderr).not.toContain(password);
      expect(result.summary).not.toContain(password);
      expect(result.stdout).toContain(`403 DENIED: access denied for ${username}:***`);
      expect(result.summary).toContain('"status": "written"');
      expect(await state('acme/echo')).toEqual({ build: image.digest, stable: image.digest });
    });
  });

  describe('when the source manifest is changed in flight and comes without Docker-Content-Digest', () => {
    it('fails before any write with DIGEST_MISMATCH', async () => {
      const image = await pushImage(client, at('acme/tamper'), { tag: 'build' });
      proxy.addRule({
        method: 'GET',
        path: /\/acme\/tamper\/manifests\/build$/,
        fault: { kind: 'rewrite', body: (body) => Buffer.concat([body, Buffer.from('\n')]), headers: { 'Docker-Content-Digest': null } },
      });

      const result = await run('acme/tamper', { source: 'build', targets: 'prod, 1, 1.4, latest' });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(/::error::.*get manifest http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/tamper\/manifests\/build: the body has digest sha256:[0-9a-f]{64}, the registry holds sha256:[0-9a-f]{64} for the tag/);
      expect(proxy.log.filter((entry) => entry.method === 'PUT' && entry.path.startsWith('/v2/acme/tamper/'))).toEqual([]);
      expect(await state('acme/tamper')).toEqual({ build: image.digest });
    });
  });
});
