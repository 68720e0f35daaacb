import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import {
  clientFor,
  createSigstoreMock,
  pushImage,
  pushLegacySignatures,
  runActionYml,
  startForgejoStyleRegistry,
} from '@tagwright/testkit';
import type { RunningRegistry, SigstoreMock } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'promote');
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

/**
 * `cosign sign --key cosign.key --tlog-upload=false` on a self-hosted forge with no Rekor: the
 * image on a Forgejo-style registry carries a key signature without a transparency-log entry.
 */
describe('promote action with insecure-ignore-tlog', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let sigstore: SigstoreMock;
  let key: ReturnType<SigstoreMock['generateKey']>;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  beforeAll(async () => {
    [registry, sigstore] = await Promise.all([startForgejoStyleRegistry({ owner: 'acme' }), createSigstoreMock()]);
    client = clientFor(registry);
    key = sigstore.generateKey();
  });

  afterAll(async () => {
    await registry?.stop();
  });

  const promote = (repository: string, extra: Record<string, string>) =>
    runActionYml(action, {
      inputs: {
        image: `${registry.host}/${repository}`,
        source: 'build',
        targets: 'prod',
        username: registry.credentials!.username,
        password: registry.credentials!.password,
        ...extra,
      },
      github: { ref: 'refs/tags/1.4.0', sha },
    });

  const errorLine = (stdout: string): string | undefined => stdout.split('\n').find((line) => line.startsWith('::error::'));

  it('refuses a key signature without a log entry by default, naming the input, and moves no tag', async () => {
    const image = await pushImage(client, repo('acme/default'), { tag: 'build' });
    await pushLegacySignatures(client, repo('acme/default'), image.digest, [await sigstore.signLegacy(image.digest, { key, tlog: false, tsa: false })]);
    const result = await promote('acme/default', { key: key.publicKeyPem });
    expect(result.exitCode).not.toBe(0);
    expect(errorLine(result.stdout)).toMatch(/no transparency-log entry.*insecure-ignore-tlog: true/);
    expect(await client.listTags(repo('acme/default'))).not.toContain('prod');
  });

  it('promotes it with insecure-ignore-tlog: true, without a TUF update', async () => {
    const image = await pushImage(client, repo('acme/accepted'), { tag: 'build' });
    await pushLegacySignatures(client, repo('acme/accepted'), image.digest, [await sigstore.signLegacy(image.digest, { key, tlog: false, tsa: false })]);
    const result = await promote('acme/accepted', { key: key.publicKeyPem, 'insecure-ignore-tlog': 'true' });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect((await client.resolveDigest({ ...repo('acme/accepted'), tag: 'prod' })).digest).toBe(image.digest);
    expect(result.summary).toContain('no log entry');
    expect(result.stdout).not.toMatch(/TUF/);
  });

  it('still refuses a signature of another key with insecure-ignore-tlog: true', async () => {
    const image = await pushImage(client, repo('acme/other-key'), { tag: 'build' });
    await pushLegacySignatures(client, repo('acme/other-key'), image.digest, [await sigstore.signLegacy(image.digest, { key: sigstore.generateKey(), tlog: false, tsa: false })]);
    const result = await promote('acme/other-key', { key: key.publicKeyPem, 'insecure-ignore-tlog': 'true' });
    expect(result.exitCode).not.toBe(0);
    expect(errorLine(result.stdout)).toMatch(/different key/);
    expect(await client.listTags(repo('acme/other-key'))).not.toContain('prod');
  });

  it('refuses insecure-ignore-tlog without a key before any registry request', async () => {
    const result = await promote('acme/keyless', {
      'certificate-identity': 'https://code.example/acme/app/.forgejo/workflows/release.yml@refs/tags/v1',
      'certificate-oidc-issuer': 'https://code.example',
      'insecure-ignore-tlog': 'true',
    });
    expect(result.exitCode).not.toBe(0);
    expect(errorLine(result.stdout)).toMatch(/insecure-ignore-tlog.*give key/);
  });
});
