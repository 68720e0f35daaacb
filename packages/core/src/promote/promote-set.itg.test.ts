import { clientFor, pushImage, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, RunningRegistry } from '@tagwright/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PartialMutationError, PolicyError, VerificationError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import { formatReference } from '../registry/reference.js';
import type { RepositoryReference } from '../registry/reference.js';
import type { VerificationSummary } from '../release/after-move.js';
import { promoteSet } from './promote-set.js';
import type { PromoteSetReport, PromoteSetRequest } from './promote-set.js';

const SIX = ['api', 'management-api', 'web', 'web-sidecar', 'management-web', 'management-web-sidecar'];
const now = new Date('2026-03-04T05:06:07Z');
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

describe('promoteSet', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let client: RegistryClient;
  let proxied: RegistryClient;
  const repo = (repository: string, host = registry.host): RepositoryReference => ({ registry: host, repository });

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy({ upstream: registry.url });
    client = clientFor(registry);
    proxied = clientFor({ host: proxy.host });
  });
  afterEach(() => proxy.clearRules());
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  async function tagsOf(repository: RepositoryReference): Promise<Record<string, string>> {
    const result: Record<string, string> = {};
    for (const tag of (await client.listTags(repository)).sort()) result[tag] = (await client.resolveDigest({ ...repository, tag })).digest;
    return result;
  }

  /** Six images with staging builds 1 and 2, the last one lacking build 2, and an old `1.5.0`-less `latest`. */
  async function seedSix(prefix: string): Promise<{ builds: Record<string, Record<string, string>>; latest: Record<string, string> }> {
    const builds: Record<string, Record<string, string>> = {};
    const latest: Record<string, string> = {};
    for (const [index, name] of SIX.entries()) {
      const app = repo(`${prefix}/${name}`);
      const one = await pushImage(client, app, { tag: '1.5.0-staging.1', seed: `${prefix}-${name}-1` });
      builds[name] = { '1.5.0-staging.1': one.digest };
      if (index !== SIX.length - 1) builds[name]['1.5.0-staging.2'] = (await pushImage(client, app, { tag: '1.5.0-staging.2', seed: `${prefix}-${name}-2` })).digest;
      latest[name] = (await pushImage(client, app, { tag: 'latest', seed: `${prefix}-${name}-old` })).digest;
    }
    return { builds, latest };
  }

  const request = (prefix: string, host: string, overrides: Partial<PromoteSetRequest> = {}): PromoteSetRequest => ({
    images: SIX.map((name) => repo(`${prefix}/${name}`, host)),
    source: { kind: 'pattern', pattern: 'staging.*', base: '1.5.0' },
    targets: ['1.5.0', 'latest'],
    sha,
    dryRun: false,
    now,
    ...overrides,
  });

  describe('when one of six images lacks the newest staging build', () => {
    it('picks the previous build every image holds, moves all six, and a re-run changes nothing', async () => {
      const { builds } = await seedSix('set-pick');

      const report = await promoteSet(request('set-pick', registry.host), { client });

      expect(report.pick?.pick).toBe('1.5.0-staging.1');
      expect(report.pick?.highest[formatReference(repo('set-pick/api'))]).toBe('1.5.0-staging.2');
      expect(report.pick?.highest[formatReference(repo('set-pick/management-web-sidecar'))]).toBe('1.5.0-staging.1');
      expect(report.changed).toBe(true);
      for (const name of SIX) {
        const tags = await tagsOf(repo(`set-pick/${name}`));
        expect(tags['1.5.0']).toBe(builds[name]!['1.5.0-staging.1']);
        expect(tags.latest).toBe(builds[name]!['1.5.0-staging.1']);
      }

      const again = await promoteSet(request('set-pick', registry.host), { client });
      expect(again.changed).toBe(false);
      expect(again.images.flatMap((image) => image.targets.map((target) => target.status))).toEqual(Array(12).fill('unchanged'));
    });
  });

  describe('when the registry denies the writes of the 4th image', () => {
    it('puts every moved target back at its previous digest and reports each image and tag', async () => {
      const { builds, latest } = await seedSix('set-deny');
      const fourth = SIX[3]!;
      proxy.addRule({ method: 'PUT', path: new RegExp(`/set-deny/${fourth}/manifests/`), fault: { kind: 'status', status: 403, body: JSON.stringify({ errors: [{ code: 'DENIED', message: 'read-only repository' }] }), headers: { 'content-type': 'application/json' } } });

      const error = await promoteSet(request('set-deny', proxy.host, { source: { kind: 'tag', tag: '1.5.0-staging.1' } }), { client: proxied }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PartialMutationError);
      expect((error as Error).message).toMatch(/denied|read-only/i);
      const report = (error as PartialMutationError<PromoteSetReport<never>>).report;
      expect(report.rolledBack).toBe(true);
      for (const [index, name] of SIX.entries()) {
        const image = report.images[index]!;
        expect(image.image).toBe(`${proxy.host}/set-deny/${name}`);
        const [version, newest] = image.targets;
        const build = builds[name]!['1.5.0-staging.1'];
        // `1.5.0` did not exist: the registry cannot delete a tag alone, so a written one stays and is reported.
        expect(version).toMatchObject({ tag: '1.5.0', before: null, attempted: build, after: name === fourth ? null : build, rollback: name === fourth ? 'kept' : 'cannot-delete' });
        expect(newest).toMatchObject({ tag: 'latest', before: latest[name], attempted: build, after: latest[name], rollback: name === fourth ? 'kept' : 'restored' });
        expect((await tagsOf(repo(`set-deny/${name}`))).latest).toBe(latest[name]);
      }
    });
  });

  describe('when the signature of one image is missing', () => {
    it('refuses before any write, naming the image', async () => {
      const { latest } = await seedSix('set-unsigned');
      const writesBefore = proxy.log.filter((entry) => entry.method === 'PUT').length;
      const verifier = async () => async (image: RepositoryReference, digest: string): Promise<VerificationSummary> => {
        if (image.repository.endsWith('/web')) throw new VerificationError('NO_SIGNATURE', `verify ${digest}: no signature`);
        return { verified: true };
      };

      const error = await promoteSet(request('set-unsigned', proxy.host), { client: proxied, prepareVerifier: verifier }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PolicyError);
      expect((error as PolicyError).code).toBe('SET_REFUSED');
      expect((error as Error).message).toMatch(new RegExp(`${proxy.host}/set-unsigned/web: verify sha256:[0-9a-f]{64}: no signature`));
      expect((error as Error).message).toMatch(/nothing was written/);
      expect(proxy.log.filter((entry) => entry.method === 'PUT').length).toBe(writesBefore);
      for (const name of SIX) expect((await tagsOf(repo(`set-unsigned/${name}`))).latest).toBe(latest[name]);
    });
  });

  describe('when no build is common to every image', () => {
    it('fails naming the images lacking it', async () => {
      await pushImage(client, repo('set-none/a'), { tag: '2.0.0-staging.3', seed: 'none-a' });
      await pushImage(client, repo('set-none/b'), { tag: '2.0.0-staging.2', seed: 'none-b' });
      const error = await promoteSet(
        { images: [repo('set-none/a'), repo('set-none/b')], source: { kind: 'pattern', pattern: '2.0.0-staging.*' }, targets: ['2.0.0'], sha, dryRun: false, now },
        { client },
      ).catch((e: unknown) => e);
      expect((error as PolicyError).code).toBe('NO_COMMON_BUILD');
      expect((error as Error).message).toContain(`lacking it: ${registry.host}/set-none/b`);
    });
  });
  describe('when the images of a set carry different revision labels and sha is not given', () => {
    it('stamps {sha} from the first image and warns, naming each image built from another commit', async () => {
      const other = 'b'.repeat(40);
      const names = ['api', 'web', 'worker'];
      for (const [index, name] of names.entries()) {
        await pushImage(client, repo(`mixed/${name}`), { tag: 'rc', seed: `mixed-${name}`, labels: { 'org.opencontainers.image.revision': index === 2 ? other : sha } });
      }

      const report = await promoteSet(
        { images: names.map((name) => repo(`mixed/${name}`)), source: { kind: 'tag', tag: 'rc' }, targets: ['prod-{date}-{sha}'], workflowCommit: 'c'.repeat(40), dryRun: false, now },
        { client },
      );

      expect(report.images.map((image) => image.targets.map((target) => target.tag))).toEqual(names.map(() => ['prod-20260304-4f1c2d3']));
      expect(report.warnings).toContain(
        `the images were not all built from 4f1c2d3 (org.opencontainers.image.revision of ${registry.host}/mixed/api): ${registry.host}/mixed/worker bbbbbbb; ` +
          "{sha} and the release's commit are 4f1c2d3; give sha to choose another",
      );
    });

    it('does not warn when sha is given: the given commit wins', async () => {
      const report = await promoteSet(
        { images: ['api', 'web', 'worker'].map((name) => repo(`mixed/${name}`)), source: { kind: 'tag', tag: 'rc' }, targets: ['prod-{date}-{sha}'], sha, dryRun: true, now },
        { client },
      );
      expect(report.warnings.filter((warning) => warning.includes('not all built'))).toEqual([]);
    });
  });
});
