import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MediaTypes, PolicyError } from '@tagwright/core';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import {
  clientFor,
  createSigstoreMockWithTrustedRoot,
  pushImage,
  pushIndex,
  pushLegacySignatures,
  readAccessLog,
  runActionYml,
  startRegistry,
} from '@tagwright/testkit';
import type { RunningRegistry, SeededImage, SigstoreMock, SigstoreMockWithTrustedRoot } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inputs } from '../src/inputs.js';
import { run } from '../src/run.js';
import type { Deps } from '../src/run.js';
import { rollbackInputs } from '../src/testing.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootActionDir = path.resolve(packageDir, '../../rollback');

const NOW = new Date('2026-11-22T10:15:30Z');

let registry: RunningRegistry;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startRegistry();
  client = clientFor(registry);
});

afterAll(async () => {
  await registry?.stop();
});

let repoCounter = 0;
function newRepo(name: string): RepositoryReference {
  repoCounter++;
  return { registry: registry.host, repository: `rollback/${name}-${repoCounter}` };
}

/** Every tag of the repository and the digest it resolves to. */
async function snapshot(repo: RepositoryReference): Promise<Record<string, string>> {
  const tags = (await client.listTags(repo)).sort();
  const out: Record<string, string> = {};
  for (const tag of tags) out[tag] = (await client.resolveDigest({ ...repo, tag })).digest;
  return out;
}

async function digestOf(repo: RepositoryReference, tag: string): Promise<string> {
  return (await client.resolveDigest({ ...repo, tag })).digest;
}

async function tag(repo: RepositoryReference, image: SeededImage, tags: string[]): Promise<void> {
  const manifest = await client.getManifest({ ...repo, digest: image.digest });
  for (const t of tags) await client.putManifest(repo, t, manifest);
}

/**
 * Three promotions pushed out of order: a (Nov 1), c (Nov 20), b (Nov 10); prod and latest on c,
 * the newest.
 */
async function seedHistory(repo: RepositoryReference): Promise<{ a: SeededImage; b: SeededImage; c: SeededImage }> {
  const a = await pushImage(client, repo, { tag: 'prod-20261101-aaaaaaa', seed: `${repo.repository}-a` });
  const c = await pushImage(client, repo, { tag: 'prod-20261120-ccccccc', seed: `${repo.repository}-c` });
  const b = await pushImage(client, repo, { tag: 'prod-20261110-bbbbbbb', seed: `${repo.repository}-b` });
  await tag(repo, c, ['prod', 'latest']);
  return { a, b, c };
}

function inputsFor(repo: RepositoryReference, overrides: Partial<Inputs> = {}): Inputs {
  return rollbackInputs(repo, overrides);
}

function depsFor(overrides: Partial<Deps> = {}): Deps & { log: string[]; verified: string[] } {
  const log: string[] = [];
  const verified: string[] = [];
  return {
    log,
    verified,
    registryClient: () => client,
    verify: async (_client, _verification, _repo, digest) => {
      verified.push(digest);
      return { verified: true, signers: ['test signer'], detail: { digest } };
    },
    release: async () => undefined,
    now: () => NOW,
    info: (message) => log.push(message),
    ...overrides,
  } satisfies Deps & { log: string[]; verified: string[] };
}

describe('rollback', () => {
  describe('when the history tags were pushed out of chronological order', () => {
    it('moves prod and latest to the build promoted before the current one, and writes the audit tag on the replaced digest', async () => {
      const repo = newRepo('main');
      const { a, b, c } = await seedHistory(repo);

      const result = await run(inputsFor(repo, { also: ['latest'] }), depsFor());

      expect(await digestOf(repo, 'prod')).toBe(b.digest);
      expect(await digestOf(repo, 'latest')).toBe(b.digest);
      expect(await digestOf(repo, 'prod-rollback-20261122-101530-from-ccccccc')).toBe(c.digest);
      expect(result.outputs).toMatchObject({
        'from-digest': c.digest,
        'to-digest': b.digest,
        'to-tag': 'prod-20261110-bbbbbbb',
        'audit-tag': 'prod-rollback-20261122-101530-from-ccccccc',
      });
      // History tags are untouched.
      expect(await digestOf(repo, 'prod-20261101-aaaaaaa')).toBe(a.digest);
      expect(await digestOf(repo, 'prod-20261120-ccccccc')).toBe(c.digest);
      expect(result.summary).toContain('| `prod-20261110-bbbbbbb` | 2026-11-10T00:00:00Z |');
      expect(result.summary).toContain('picked: newest stamped build with a different digest');
      expect(result.summary).toContain('from the stamp of `prod-20261120-ccccccc`');
    });

    it('goes further back on a second rollback instead of forward again', async () => {
      const repo = newRepo('twice');
      const { a } = await seedHistory(repo);
      await run(inputsFor(repo), depsFor());

      const second = await run(inputsFor(repo), depsFor({ now: () => new Date('2026-11-22T11:00:00Z') }));

      expect(await digestOf(repo, 'prod')).toBe(a.digest);
      expect(second.outputs['audit-tag']).toBe('prod-rollback-20261122-110000-from-bbbbbbb');
      expect(second.summary).toContain('skipped: stamped after the current build prod-20261110-bbbbbbb');
    });

    it('reads {datetime} stamps beside {date} stamps and orders them by time', async () => {
      const repo = newRepo('datetime');
      const older = await pushImage(client, repo, { tag: 'prod-20261120-080000-1111111', seed: `${repo.repository}-1` });
      const newer = await pushImage(client, repo, { tag: 'prod-20261120-170000-2222222', seed: `${repo.repository}-2` });
      await pushImage(client, repo, { tag: 'prod-20261119-0000000', seed: `${repo.repository}-0` });
      await tag(repo, newer, ['prod']);

      const result = await run(inputsFor(repo), depsFor());

      expect(result.outputs['to-digest']).toBe(older.digest);
      expect(result.outputs['audit-tag']).toBe('prod-rollback-20261122-101530-from-2222222');
    });
  });

  describe('when prod points at a build no history stamp names', () => {
    it('rolls back to the newest stamped build and names the replaced digest by its first 7 hex digits', async () => {
      const repo = newRepo('unstamped');
      const { c } = await seedHistory(repo);
      const hotfix = await pushImage(client, repo, { seed: `${repo.repository}-hotfix` });
      await tag(repo, hotfix, ['prod']);

      const result = await run(inputsFor(repo), depsFor());

      expect(await digestOf(repo, 'prod')).toBe(c.digest);
      const short = hotfix.digest.slice('sha256:'.length, 'sha256:'.length + 7);
      expect(result.outputs['audit-tag']).toBe(`prod-rollback-20261122-101530-from-${short}`);
      expect(await digestOf(repo, `prod-rollback-20261122-101530-from-${short}`)).toBe(hotfix.digest);
      expect(result.summary).toContain('first 7 hex digits of the replaced digest: no history stamp names it and the image has no revision label');
    });
  });

  describe('when prod points at a build no history stamp names, built with a revision label', () => {
    it("names the replaced build by its org.opencontainers.image.revision, and the summary says so", async () => {
      const repo = newRepo('unstamped-labelled');
      const { c } = await seedHistory(repo);
      const built = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';
      const hotfix = await pushImage(client, repo, { seed: `${repo.repository}-hotfix`, labels: { 'org.opencontainers.image.revision': built } });
      await tag(repo, hotfix, ['prod']);

      const result = await run(inputsFor(repo), depsFor());

      expect(await digestOf(repo, 'prod')).toBe(c.digest);
      expect(result.outputs['audit-tag']).toBe('prod-rollback-20261122-101530-from-9e8d7c6');
      expect(await digestOf(repo, 'prod-rollback-20261122-101530-from-9e8d7c6')).toBe(hotfix.digest);
      expect(result.summary).toContain("from the replaced image's `org.opencontainers.image.revision`: no history stamp names it");
    });
  });

  describe('when to is given', () => {
    it('moves prod to the given tag, skipping the picker', async () => {
      const repo = newRepo('to-tag');
      const { a, c } = await seedHistory(repo);

      const result = await run(inputsFor(repo, { to: { kind: 'tag', tag: 'prod-20261101-aaaaaaa' } }), depsFor());

      expect(await digestOf(repo, 'prod')).toBe(a.digest);
      expect(await digestOf(repo, 'prod-rollback-20261122-101530-from-ccccccc')).toBe(c.digest);
      expect(result.outputs['to-tag']).toBe('prod-20261101-aaaaaaa');
      expect(result.summary).toContain('given as the input to');
    });

    it('moves prod to the given digest and names the history tag that carries it', async () => {
      const repo = newRepo('to-digest');
      const { a } = await seedHistory(repo);

      const result = await run(inputsFor(repo, { to: { kind: 'digest', digest: a.digest } }), depsFor());

      expect(await digestOf(repo, 'prod')).toBe(a.digest);
      expect(result.outputs['to-tag']).toBe('prod-20261101-aaaaaaa');
    });

    it('refuses a to that does not exist and moves nothing', async () => {
      const repo = newRepo('to-missing');
      await seedHistory(repo);
      const before = await snapshot(repo);

      await expect(run(inputsFor(repo, { to: { kind: 'tag', tag: 'prod-20200101-fffffff' } }), depsFor())).rejects.toThrow(
        /does not exist; nothing was moved/,
      );
      expect(await snapshot(repo)).toEqual(before);
    });
  });

  describe('when there is no candidate', () => {
    it('throws a PolicyError with the reason and moves nothing', async () => {
      const repo = newRepo('none');
      const only = await pushImage(client, repo, { tag: 'prod-20261101-aaaaaaa', seed: `${repo.repository}-a` });
      await tag(repo, only, ['prod', 'prod-20261120-ccccccc']);
      const before = await snapshot(repo);

      const error = await run(inputsFor(repo), depsFor()).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PolicyError);
      expect((error as PolicyError).code).toBe('NO_ROLLBACK_TARGET');
      expect((error as PolicyError).message).toMatch(/every stamped build up to the current one has the current digest/);
      expect(await snapshot(repo)).toEqual(before);
    });

    it('says that no history tag has a stamp when none parses', async () => {
      const repo = newRepo('nostamp');
      const one = await pushImage(client, repo, { tag: 'prod-candidate', seed: `${repo.repository}-a` });
      await tag(repo, one, ['prod']);
      await pushImage(client, repo, { tag: 'prod-old', seed: `${repo.repository}-b` });
      const before = await snapshot(repo);

      await expect(run(inputsFor(repo), depsFor())).rejects.toThrow(
        /none of the 2 tags matching prod-\* has a stamp of the form prod-\{date\}-\{sha\} or prod-\{datetime\}-\{sha\}/,
      );
      expect(await snapshot(repo)).toEqual(before);
    });
  });

  describe('when dry-run is true', () => {
    it('reports the plan and writes nothing', async () => {
      const repo = newRepo('dry');
      const { b } = await seedHistory(repo);
      const before = await snapshot(repo);

      const result = await run(inputsFor(repo, { dryRun: true, also: ['latest'] }), depsFor());

      expect(await snapshot(repo)).toEqual(before);
      expect(result.outputs['to-digest']).toBe(b.digest);
      expect(result.summary).toContain('(dry run)');
      expect(result.summary).toContain('| `prod` |');
      expect(result.summary).toContain('planned');
    });
  });

  describe('when verification is configured', () => {
    it('verifies the target before anything moves, and a refusal moves nothing', async () => {
      const repo = newRepo('verify');
      const { b } = await seedHistory(repo);
      const before = await snapshot(repo);
      const deps = depsFor({
        verify: async (_client, _verification, _repo, digest) => {
          throw new Error(`verify ${digest}: no signature`);
        },
      });

      await expect(
        run(inputsFor(repo, { verification: { required: true, configured: true, key: 'cosign.pub' } }), deps),
      ).rejects.toThrow(`verify ${b.digest}: no signature`);
      expect(await snapshot(repo)).toEqual(before);
    });
  });

  describe('when the target is a multi-platform index', () => {
    it('keeps the index digest and media type', async () => {
      const repo = newRepo('index');
      const index = await pushIndex(client, repo, { tag: 'prod-20261105-ddddddd', seed: `${repo.repository}-idx` });
      const current = await pushImage(client, repo, { tag: 'prod-20261121-eeeeeee', seed: `${repo.repository}-e` });
      await tag(repo, current, ['prod']);

      await run(inputsFor(repo), depsFor());

      const manifest = await client.getManifest({ ...repo, tag: 'prod' });
      expect(manifest.digest).toBe(index.digest);
      expect(manifest.mediaType).toBe(MediaTypes.OCI_INDEX);
    });
  });
});

describe('rollback action (built, run through action.yml)', () => {
  describe('when run the way the runner runs it', () => {
    it('rolls prod and latest back and writes outputs and the summary', async () => {
      const repo = newRepo('yml');
      const { b, c } = await seedHistory(repo);
      const requestsBefore = (await readAccessLog(registry)).length;

      const result = await runActionYml(rootActionDir, {
        inputs: { image: `${repo.registry}/${repo.repository}`, also: 'latest' },
      });

      // The requests the action made are the ones the malformed-input cases below expect none of.
      const requests = (await readAccessLog(registry)).slice(requestsBefore).filter((entry) => entry.userAgent.includes('tagwright-rollback'));
      expect(requests.length).toBeGreaterThan(0);

      expect(result.stderr + result.stdout).not.toMatch(/::error/);
      expect(result.exitCode).toBe(0);
      expect(result.outputs['from-digest']).toBe(c.digest);
      expect(result.outputs['to-digest']).toBe(b.digest);
      expect(result.outputs['to-tag']).toBe('prod-20261110-bbbbbbb');
      expect(result.outputs['audit-tag']).toMatch(/^prod-rollback-\d{8}-\d{6}-from-ccccccc$/);
      expect(await digestOf(repo, 'prod')).toBe(b.digest);
      expect(await digestOf(repo, 'latest')).toBe(b.digest);
      expect(await digestOf(repo, result.outputs['audit-tag'] ?? '')).toBe(c.digest);
      expect(result.summary).toContain('### History considered');
      expect(result.summary).toMatch(/\| `prod-20261120-ccccccc` \| 2026-11-20T00:00:00Z \| `sha256:[0-9a-f]{64}` \| skipped: same digest as the current track \|/);
      expect(result.stdout).toContain('::warning::rolling back');
    });
  });

  describe.each([
    ['image', { image: 'Not/A/Repo' }, /read input image: "Not\/A\/Repo" is not a valid image repository .*, e.g. ghcr.io\/acme\/app/],
    ['to', { to: 'sha256:xyz' }, /read input to: "sha256:xyz" is not a valid digest .*, e.g. prod-20261110-bbbbbbb/],
    ['history', { history: 'prod-[' }, /read input history: "prod-\[" is not a valid glob/],
    ['history-template', { 'history-template': 'prod-{sha}' }, /read input history-template: "prod-\{sha\}" has no \{date\} or \{datetime\}/],
    ['audit-tag', { 'audit-tag': 'prod-{date}-{sha}' }, /read input audit-tag: .* read as promotion stamps/],
    ['also', { also: 'latest, bad tag!' }, /read input also: "bad tag!" is not a valid tag \(OCI tag grammar .*, e.g. latest/],
    ['key', { key: 'missing-cosign.pub' }, /read input key: "missing-cosign.pub" is neither a PEM public key nor a readable file/],
  ])('when the input %s is malformed', (_name, inputs, message) => {
    it('fails naming the input before any request', async () => {
      const repo = newRepo('bad');
      const requestsBefore = (await readAccessLog(registry)).length;

      const result = await runActionYml(rootActionDir, {
        inputs: { image: `${repo.registry}/${repo.repository}`, ...inputs },
      });

      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toMatch(message);
      // A failing run writes a step summary too: the error, and that nothing was changed.
      expect(result.summary).toContain('## Failed: configuration error');
      expect(result.summary).toContain('Nothing was changed.');
      expect((await readAccessLog(registry)).slice(requestsBefore).filter((entry) => entry.userAgent.includes('tagwright-rollback'))).toEqual([]);
    });
  });
});

describe('rollback action with signature verification (built, through action.yml)', () => {
  const IDENTITY = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
  const ISSUER = 'https://token.actions.githubusercontent.com';
  let signedRegistry: RunningRegistry;
  let signedClient: RegistryClient;
  let sigstore: SigstoreMock;
  let trust: SigstoreMockWithTrustedRoot;
  let trustedRoot: string;

  beforeAll(async () => {
    [signedRegistry, trust] = await Promise.all([startRegistry({ auth: 'htpasswd' }), createSigstoreMockWithTrustedRoot()]);
    ({ sigstore, trustedRoot } = trust);
    signedClient = clientFor(signedRegistry);
  });

  afterAll(async () => {
    await signedRegistry?.stop();
    await trust?.dispose();
  });

  /** b (the build rollback picks) signed or not; prod on c. */
  async function seed(repository: string, signB: boolean): Promise<{ repo: RepositoryReference; b: SeededImage; c: SeededImage }> {
    const repo = { registry: signedRegistry.host, repository };
    const b = await pushImage(signedClient, repo, { tag: 'prod-20261110-bbbbbbb', seed: `${repository}-b` });
    const c = await pushImage(signedClient, repo, { tag: 'prod-20261120-ccccccc', seed: `${repository}-c` });
    await signedClient.putManifest(repo, 'prod', await signedClient.getManifest({ ...repo, digest: c.digest }));
    if (signB) await pushLegacySignatures(signedClient, repo, b.digest, [await sigstore.signLegacy(b.digest)]);
    return { repo, b, c };
  }

  const rollback = (repo: RepositoryReference) =>
    runActionYml(rootActionDir, {
      inputs: {
        image: `${repo.registry}/${repo.repository}`,
        username: signedRegistry.credentials!.username,
        password: signedRegistry.credentials!.password,
        'certificate-identity': IDENTITY,
        'certificate-oidc-issuer': ISSUER,
        'trusted-root': trustedRoot,
      },
    });

  describe('when the target carries a signature from the release workflow', () => {
    it('rolls back and shows who signed it', async () => {
      const { repo, b, c } = await seed('acme/signed', true);

      const result = await rollback(repo);

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect((await signedClient.resolveDigest({ ...repo, tag: 'prod' })).digest).toBe(b.digest);
      expect(result.outputs['audit-tag']).toMatch(/^prod-rollback-\d{8}-\d{6}-from-ccccccc$/);
      expect((await signedClient.resolveDigest({ ...repo, tag: result.outputs['audit-tag'] ?? '' })).digest).toBe(c.digest);
      expect(result.summary).toContain('**Signed by:**');
      expect(result.summary).toContain(`identity ${IDENTITY}`);
      const printed = result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
      expect(printed.join('\n')).not.toContain(signedRegistry.credentials!.password);
    });
  });

  describe('when the target has no signature', () => {
    it('refuses before anything moves', async () => {
      const { repo } = await seed('acme/unsigned', false);
      const before = await (async () => {
        const out: Record<string, string> = {};
        for (const t of (await signedClient.listTags(repo)).sort()) out[t] = (await signedClient.resolveDigest({ ...repo, tag: t })).digest;
        return out;
      })();

      const result = await rollback(repo);

      expect(result.exitCode).not.toBe(0);
      expect(result.stdout.split('\n').find((line) => line.startsWith('::error::'))).toMatch(/NO_SIGNATURE|no signature/i);
      const after: Record<string, string> = {};
      for (const t of (await signedClient.listTags(repo)).sort()) after[t] = (await signedClient.resolveDigest({ ...repo, tag: t })).digest;
      expect(after).toEqual(before);
    });
  });
});
