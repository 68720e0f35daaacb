import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import {
  clientFor,
  createSigstoreMockWithTrustedRoot,
  pushBundle,
  pushImage,
  pushIndex,
  pushLegacySignatures,
  readAccessLog,
  runActionYml,
  startRegistry,
} from '@tagwright/testkit';
import type { RunningRegistry, SigstoreMock, SigstoreMockWithTrustedRoot } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'promote');
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
const IDENTITY = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
const ISSUER = 'https://token.actions.githubusercontent.com';

async function tagsOf(client: RegistryClient, repo: RepositoryReference): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const tag of (await client.listTags(repo)).sort()) result[tag] = (await client.resolveDigest({ ...repo, tag })).digest;
  return result;
}

describe('promote action', () => {
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

  const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
    runActionYml(action, { inputs, github: { ref: 'refs/tags/1.4.0', sha }, env });

  describe('when a multi-arch index is promoted within its repository', () => {
    it('writes every target with the same digest and platforms, and reports before/after', async () => {
      const index = await pushIndex(client, repo('acme/app'), { tag: 'sha-4f1c2d3', seed: 'app-build' });
      const other = await pushImage(client, repo('acme/app'), { tag: 'prod', seed: 'old-prod' });
      const before = await client.getManifest({ ...repo('acme/app'), digest: index.digest });

      const result = await run({ image: `${registry.host}/acme/app`, source: 'sha-4f1c2d3', targets: '1.4.0, prod\nprod-{date}-{sha}' });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs.digest).toBe(index.digest);
      const stamp = result.outputs.tags!.split('\n')[2]!.split(':').pop()!;
      expect(stamp).toMatch(/^prod-\d{8}-4f1c2d3$/);
      expect(JSON.parse(result.outputs.previous!)).toEqual({ '1.4.0': null, prod: other.digest, [stamp]: null });
      const tags = await tagsOf(client, repo('acme/app'));
      expect(tags['1.4.0']).toBe(index.digest);
      expect(tags.prod).toBe(index.digest);
      expect(tags[stamp]).toBe(index.digest);
      const after = await client.getManifest({ ...repo('acme/app'), tag: 'prod' });
      expect(Buffer.from(after.bytes).equals(Buffer.from(before.bytes))).toBe(true);
      expect(after.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      for (const child of index.childDigests!) {
        expect((await client.resolveDigest({ ...repo('acme/app'), digest: child })).digest).toBe(child);
      }
      expect(result.summary).toContain('| target | before | after | status |');
      expect(result.summary).toContain(other.digest);
      expect(result.stdout).toMatch(/::warning::promoting .* without signature verification/);
    });

    it('is idempotent on re-run: nothing is written again', async () => {
      await pushIndex(client, repo('acme/rerun'), { tag: 'build', seed: 'rerun' });
      const first = await run({ image: `${registry.host}/acme/rerun`, source: 'build', targets: 'prod' });
      expect(first.exitCode).toBe(0);
      const puts = (await readAccessLog(registry)).filter((entry) => entry.method === 'PUT').length;
      const second = await run({ image: `${registry.host}/acme/rerun`, source: 'build', targets: 'prod' });
      expect(second.exitCode).toBe(0);
      expect(JSON.parse(second.outputs.previous!)).toEqual({ prod: first.outputs.digest });
      expect(second.summary).toMatch(/unchanged/);
      expect((await readAccessLog(registry)).filter((entry) => entry.method === 'PUT').length).toBe(puts);
    });

    it('promotes by digest and writes nothing in a dry run', async () => {
      const image = await pushImage(client, repo('acme/dry'), { tag: 'build', seed: 'dry' });
      const before = await tagsOf(client, repo('acme/dry'));
      const result = await run({ image: `${registry.host}/acme/dry`, source: image.digest, targets: 'prod', 'dry-run': 'true' });
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.summary).toMatch(/planned/);
      expect(await tagsOf(client, repo('acme/dry'))).toEqual(before);
    });
  });

  describe('when an input is malformed', () => {
    it.each([
      ['image', { image: 'Registry.example/UPPER', source: 'x', targets: 'prod' }, /image|repository/i],
      ['source tag', { image: 'REG/acme/app', source: 'bad tag', targets: 'prod' }, /tag/i],
      ['source digest', { image: 'REG/acme/app', source: 'sha256:1234', targets: 'prod' }, /digest/i],
      ['target', { image: 'REG/acme/app', source: 'build', targets: 'prod\n-bad' }, /tag/i],
      ['template', { image: 'REG/acme/app', source: 'build', targets: 'prod-{when}' }, /template|when/i],
      ['regexp', { image: 'REG/acme/app', source: 'build', targets: 'prod', 'certificate-identity-regexp': '(unclosed', 'certificate-oidc-issuer': ISSUER }, /regexp|regular expression|unclosed|identity/i],
      ['key', { image: 'REG/acme/app', source: 'build', targets: 'prod', key: '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----' }, /key/i],
      ['release without token', { image: 'REG/acme/app', source: 'build', targets: 'prod', release: 'published' }, /github-token/],
    ])('fails on a bad %s before any request', async (_name, inputs, message) => {
      const given = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.replace('REG', registry.host)]));
      const before = (await readAccessLog(registry)).length;
      const result = await run(given);
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout.split('\n').find((line) => line.startsWith('::error::'))).toMatch(message);
      expect((await readAccessLog(registry)).length).toBe(before);
    });
  });
});

describe('promote action with signature verification', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let sigstore: SigstoreMock;
  let trust: SigstoreMockWithTrustedRoot;
  let trustedRoot: string;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  beforeAll(async () => {
    [registry, trust] = await Promise.all([startRegistry({ auth: 'htpasswd' }), createSigstoreMockWithTrustedRoot()]);
    ({ sigstore, trustedRoot } = trust);
    client = clientFor(registry);
  });

  afterAll(async () => {
    await registry?.stop();
    await trust?.dispose();
  });

  const promoteSigned = (repository: string, extra: Record<string, string> = {}) =>
    runActionYml(action, {
      inputs: {
        image: `${registry.host}/${repository}`,
        source: 'build',
        targets: 'prod',
        username: registry.credentials!.username,
        password: registry.credentials!.password,
        'certificate-identity': IDENTITY,
        'certificate-oidc-issuer': ISSUER,
        'trusted-root': trustedRoot,
        ...extra,
      },
      github: { ref: 'refs/tags/1.4.0', sha },
    });

  describe('when the image carries a legacy cosign signature from the right workflow', () => {
    it('promotes it and shows who signed', async () => {
      const image = await pushImage(client, repo('acme/legacy'), { tag: 'build' });
      await pushLegacySignatures(client, repo('acme/legacy'), image.digest, [await sigstore.signLegacy(image.digest)]);
      const result = await promoteSigned('acme/legacy');
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect((await client.resolveDigest({ ...repo('acme/legacy'), tag: 'prod' })).digest).toBe(image.digest);
      const verified = JSON.parse(result.outputs.verified!) as { format: string; signatures: Array<{ signerIdentity: string }> };
      expect(verified.format).toBe('cosign-legacy');
      expect(verified.signatures[0]!.signerIdentity).toBe(IDENTITY);
      expect(result.summary).toContain(`identity ${IDENTITY}`);
      // The runner consumes `::add-mask::` itself; every other line must not carry the password.
      const printed = result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
      expect(result.stdout).toContain(`::add-mask::${registry.credentials!.password}`);
      expect(printed.join('\n')).not.toContain(registry.credentials!.password);
    });
  });

  describe('when the image carries a Sigstore bundle v0.3 referrer', () => {
    it('promotes a multi-arch index found through the referrers tag schema', async () => {
      const index = await pushIndex(client, repo('acme/bundle'), { tag: 'build', seed: 'bundle' });
      await pushBundle(client, repo('acme/bundle'), { mediaType: index.mediaType, digest: index.digest, size: index.size! }, await sigstore.signBundle(index.digest));
      const result = await promoteSigned('acme/bundle');
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(JSON.parse(result.outputs.verified!).format).toBe('bundle-v0.3');
      expect((await client.resolveDigest({ ...repo('acme/bundle'), tag: 'prod' })).digest).toBe(index.digest);
    });
  });

  describe('when a signed image is promoted to another repository', () => {
    it('brings the legacy signature and the bundle referrer along, so it verifies where it lands', async () => {
      const index = await pushIndex(client, repo('acme/staging/app'), { tag: 'build', seed: 'cross-signed' });
      await pushLegacySignatures(client, repo('acme/staging/app'), index.digest, [await sigstore.signLegacy(index.digest)]);
      await pushBundle(client, repo('acme/staging/app'), { mediaType: index.mediaType, digest: index.digest, size: index.size! }, await sigstore.signBundle(index.digest));

      const result = await promoteSigned('acme/staging/app', { destination: `${registry.host}/acme/released` });
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.outputs['bytes-copied']).toBe('0');
      expect(result.summary).toMatch(/Signatures copied .*sha256-[0-9a-f]{64}\.sig.*1 bundle referrer/);

      const again = await runActionYml(action, {
        inputs: {
          image: `${registry.host}/acme/released`,
          source: 'prod',
          targets: 'stable',
          username: registry.credentials!.username,
          password: registry.credentials!.password,
          'certificate-identity': IDENTITY,
          'certificate-oidc-issuer': ISSUER,
          'trusted-root': trustedRoot,
        },
        github: { ref: 'refs/tags/1.4.0', sha },
      });
      expect(again.exitCode, again.stdout).toBe(0);
      const verified = JSON.parse(again.outputs.verified!) as { signatures: Array<{ format: string }> };
      expect(verified.signatures.map((signature) => signature.format).sort()).toEqual(['bundle-v0.3', 'cosign-legacy']);
      expect((await client.resolveDigest({ ...repo('acme/released'), tag: 'stable' })).digest).toBe(index.digest);
    });
  });

  describe('when GitHub workflow claims are required', () => {
    it.each([
      ['acme/app', 0],
      ['acme/other', 1],
    ])('certificate-github-source-repository %s gives exit %i', async (wanted, exit) => {
      const repository = `acme/claims-${wanted.replace('/', '-')}`;
      const image = await pushImage(client, repo(repository), { tag: 'build' });
      await pushLegacySignatures(client, repo(repository), image.digest, [
        await sigstore.signLegacy(image.digest, { github: { repository: 'acme/app', ref: 'refs/tags/v1.2.3', eventName: 'push' } }),
      ]);
      const result = await promoteSigned(repository, { 'certificate-github-source-repository': wanted, 'certificate-github-workflow-trigger': 'push' });
      expect(result.exitCode === 0 ? 0 : 1, result.stdout).toBe(exit);
      expect((await client.listTags(repo(repository))).includes('prod')).toBe(exit === 0);
      if (exit) expect(result.stdout.split('\n').find((line) => line.startsWith('::error::'))).toMatch(/repository/i);
    });
  });

  describe('when SLSA provenance is required', () => {
    const builderId = 'https://github.com/actions/runner/github-hosted';
    const predicate = {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: { workflow: { repository: 'https://github.com/acme/app', ref: 'refs/tags/v1.2.3', path: '.github/workflows/release.yml' } },
      },
      runDetails: { builder: { id: builderId } },
    };

    it('promotes an image whose provenance attestation matches', async () => {
      const image = await pushImage(client, repo('acme/provenance'), { tag: 'build' });
      await pushBundle(
        client,
        repo('acme/provenance'),
        { mediaType: image.mediaType, digest: image.digest, size: image.size! },
        await sigstore.signBundle(image.digest, { predicateType: 'https://slsa.dev/provenance/v1', predicate }),
      );
      const result = await promoteSigned('acme/provenance', { 'provenance-builder-id': builderId, 'provenance-source-repository': 'acme/app' });
      expect(result.exitCode, result.stdout).toBe(0);
      expect((await client.resolveDigest({ ...repo('acme/provenance'), tag: 'prod' })).digest).toBe(image.digest);
    });

    it('refuses a signed image without provenance, or with another builder', async () => {
      const image = await pushImage(client, repo('acme/no-provenance'), { tag: 'build' });
      await pushLegacySignatures(client, repo('acme/no-provenance'), image.digest, [await sigstore.signLegacy(image.digest)]);
      const missing = await promoteSigned('acme/no-provenance', { 'provenance-builder-id': builderId });
      expect(missing.exitCode).not.toBe(0);
      expect(missing.stdout.split('\n').find((line) => line.startsWith('::error::'))).toMatch(/provenance/i);

      await pushBundle(
        client,
        repo('acme/no-provenance'),
        { mediaType: image.mediaType, digest: image.digest, size: image.size! },
        await sigstore.signBundle(image.digest, { predicateType: 'https://slsa.dev/provenance/v1', predicate }),
      );
      const other = await promoteSigned('acme/no-provenance', { 'provenance-builder-id': 'https://evil.example/builder' });
      expect(other.exitCode).not.toBe(0);
      expect(other.stdout.split('\n').find((line) => line.startsWith('::error::'))).toContain(
        `builder id "${builderId}" does not equal "https://evil.example/builder"`,
      );
      expect(await client.listTags(repo('acme/no-provenance'))).not.toContain('prod');
    });
  });

  describe('when the signature does not satisfy the policy', () => {
    it.each([
      ['no signature at all', async () => {}, {}, /NO_SIGNATURE|no signature/i],
      ['a wrong identity', async (digest: string) => [await sigstore.signLegacy(digest, { identity: 'https://github.com/evil/app/.github/workflows/x.yml@refs/heads/main' })], {}, /identity/i],
      ['a wrong issuer', async (digest: string) => [await sigstore.signLegacy(digest, { issuer: 'https://accounts.example.com' })], {}, /issuer/i],
      [
        'a regexp matching only a substring',
        async (digest: string) => [await sigstore.signLegacy(digest, { identity: `https://evil.example/?${IDENTITY}` })],
        { 'certificate-identity': '', 'certificate-identity-regexp': 'https://github\\.com/acme/app/.*' },
        /identity/i,
      ],
      ['a signature of another image copied onto it', async () => [await sigstore.signLegacy(`sha256:${'ab'.repeat(32)}`)], {}, /digest/i],
    ] as const)('refuses %s and moves no tag', async (name, sign, extra, message) => {
      const repository = `acme/refused-${name.replace(/[^a-z]+/g, '-')}`;
      const image = await pushImage(client, repo(repository), { tag: 'build' });
      const signatures = await sign(image.digest);
      if (signatures) await pushLegacySignatures(client, repo(repository), image.digest, signatures);
      const result = await promoteSigned(repository, extra);
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout.split('\n').find((line) => line.startsWith('::error::'))).toMatch(message);
      expect(await client.listTags(repo(repository))).not.toContain('prod');
    });
  });
});
