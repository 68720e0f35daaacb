import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, pushImage, runActionYml, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const action = path.join(root, 'promote');
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
const NAMES = ['api', 'web', 'web-sidecar'];

/** A release set through the action, the way the runner runs it. */
describe('promote action: release set (images)', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let workspace: string;
  const repo = (repository: string): RepositoryReference => ({ registry: registry.host, repository });

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor(registry);
    workspace = await mkdtemp(path.join(tmpdir(), 'tagwright-set-'));
    await writeFile(path.join(workspace, 'package.json'), JSON.stringify({ name: 'product', version: '2.1.0' }));
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(workspace, { recursive: true, force: true });
  });

  const run = (inputs: Record<string, string>) => runActionYml(action, { inputs, github: { ref: 'refs/heads/main', sha, workspace } });

  it('picks the common staging build of staging.* with the base from package.json, moves every image, and a re-run says nothing changed', async () => {
    const picked: Record<string, string> = {};
    for (const [index, name] of NAMES.entries()) {
      picked[`${registry.host}/set/${name}`] = (await pushImage(client, repo(`set/${name}`), { tag: '2.1.0-staging.3', seed: `set-${name}-3` })).digest;
      if (index !== 1) await pushImage(client, repo(`set/${name}`), { tag: '2.1.0-staging.4', seed: `set-${name}-4` });
    }
    const inputs = { images: NAMES.map((name) => `${registry.host}/set/${name}`).join('\n'), source: 'staging.*', targets: '2.1.0, latest' };

    const result = await run(inputs);

    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.outputs['source-tag']).toBe('2.1.0-staging.3');
    expect(JSON.parse(result.outputs.digests!)).toEqual(picked);
    expect(JSON.parse(result.outputs.previous!)).toEqual(Object.fromEntries(Object.keys(picked).map((image) => [image, { '2.1.0': null, latest: null }])));
    expect(result.summary).toContain('common pick **2.1.0-staging.3**');
    expect(result.summary).toContain(`| \`${registry.host}/set/web\` | 2.1.0-staging.3 |`);
    for (const name of NAMES) expect((await client.resolveDigest({ ...repo(`set/${name}`), tag: 'latest' })).digest).toBe(picked[`${registry.host}/set/${name}`]);

    const again = await run(inputs);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(again.summary).toContain('nothing was written');
  });

  it('refuses to move latest down from a higher release (the release version, not the staging pick, is compared), unless allow-downgrade', async () => {
    const images = ['down-api', 'down-web'].map((name) => `${registry.host}/set/${name}`);
    const released: Record<string, string> = {};
    for (const name of ['down-api', 'down-web']) {
      const newer = await pushImage(client, repo(`set/${name}`), { tag: '3.1.0', seed: `${name}-3.1.0` });
      await client.putManifest(repo(`set/${name}`), 'latest', await client.getManifest({ ...repo(`set/${name}`), digest: newer.digest }));
      released[name] = newer.digest;
      await pushImage(client, repo(`set/${name}`), { tag: '3.0.1-staging.2', seed: `${name}-3.0.1-2` });
    }
    const inputs = { images: images.join('\n'), source: '3.0.1-staging.*', targets: '3.0.1, latest' };

    const refused = await run(inputs);

    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain(`promote ${registry.host}/set/down-api: would move latest from 3.1.0 down to 3.0.1`);
    expect(refused.stdout).toContain(`promote ${registry.host}/set/down-web: would move latest from 3.1.0 down to 3.0.1`);
    expect(refused.stdout).toContain('nothing was written');
    for (const name of ['down-api', 'down-web']) {
      expect((await client.resolveDigest({ ...repo(`set/${name}`), tag: 'latest' })).digest).toBe(released[name]);
      expect(await client.listTags(repo(`set/${name}`))).not.toContain('3.0.1');
    }

    const allowed = await run({ ...inputs, 'allow-downgrade': 'true' });
    expect(allowed.exitCode, allowed.stdout + allowed.stderr).toBe(0);
    const again = await run(inputs);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(again.summary).toContain('nothing was written');
  });

  it('refuses a destination with a set, naming the input, before any request', async () => {
    const result = await run({ images: `${registry.host}/set/a, ${registry.host}/set/b`, source: '1.0.0', targets: 'prod', destination: `${registry.host}/prod/a` });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/read input destination: a release set/);
  });

  it('refuses image and images together', async () => {
    const result = await run({ image: `${registry.host}/set/a`, images: `${registry.host}/set/b`, source: '1.0.0', targets: 'prod' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/read input images: give image or images, not both/);
  });
});
