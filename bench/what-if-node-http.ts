/**
 * `node --import tsx bench/what-if-node-http.ts`: what the built promote and compute-tags actions
 * would cost if their registry client used `createNodeHttpFetch()` (node:http) instead of the global
 * fetch (undici). Not shipped: the actions are run unchanged, with a `--import` preload (bundled
 * like the actions) that replaces `globalThis.fetch` by `createNodeHttpFetch()` before they start.
 *
 * Cases as in `pnpm bench`: same-repository retag of a two-platform index to one tag (promote), and
 * compute-tags for `refs/tags/v1.2.3`, registry-aware. Interleaved, BENCH_ROUNDS rounds (default 7);
 * medians of the process wall time (start to exit) and the registry requests (access log).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistryClient } from '@tagwright/core';
import type { RepositoryReference } from '@tagwright/core';
import { pushImage, pushIndex, startRegistry } from '@tagwright/testkit';
import { accessLogCursor, actionEnv, ensureOk, measureProcess, median, ms, readOutputs, summarizeLog, table, tempFile } from './lib.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const SHA = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
const MB = 1024 * 1024;

const dir = await mkdtemp(path.join(tmpdir(), 'tagwright-what-if-http-'));
const registry = await startRegistry();
try {
  const esbuild = createRequire(createRequire(path.join(root, 'node_modules/tsup/package.json')).resolve('tsup'))('esbuild') as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  await writeFile(
    path.join(dir, 'preload.ts'),
    `import { createNodeHttpFetch } from ${JSON.stringify(path.join(root, 'packages/core/src/registry/node-http.ts'))};\nglobalThis.fetch = createNodeHttpFetch();\n`,
  );
  const preload = path.join(dir, 'preload.mjs');
  await esbuild.build({ entryPoints: [path.join(dir, 'preload.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: preload });

  const client = createRegistryClient();
  const promoteRepo: RepositoryReference = { registry: registry.host, repository: 'whatif/app' };
  await pushIndex(client, promoteRepo, { tag: 'src', layerSizes: [MB, MB, MB] });
  const ctRepo: RepositoryReference = { registry: registry.host, repository: 'whatif/ct' };
  const image = await pushImage(client, ctRepo, { tag: '1.0.0', layerSizes: [1024] });
  const manifest = await client.getManifest({ ...ctRepo, digest: image.digest });
  for (const tag of ['1.0.1', '1.1.0', '1.2.0', '1.2.1', '1.2.2', '1.3.0', '2.0.0', 'latest', '1', '1.2', 'sha-1234567']) {
    await client.putManifest(ctRepo, tag, manifest);
  }
  const cursor = await accessLogCursor(registry);

  const runAction = async (
    action: 'promote' | 'compute-tags',
    inputs: Record<string, string>,
    ref: string,
    nodeArgs: string[],
  ): Promise<{ wallMs: number; requests: number }> => {
    const output = await tempFile('output');
    const summary = await tempFile('summary');
    const actionDir = path.join(root, `packages/action-${action}`);
    const env = await actionEnv(path.join(actionDir, 'action.yml'), inputs, { sha: SHA, ref }, output, summary);
    await cursor.take();
    const run = ensureOk(await measureProcess(process.execPath, [...nodeArgs, path.join(actionDir, 'dist/index.mjs')], env), action);
    const requests = summarizeLog(await cursor.take()).requests;
    await readOutputs(output);
    await rm(path.dirname(output), { recursive: true, force: true });
    await rm(path.dirname(summary), { recursive: true, force: true });
    return { wallMs: run.wallMs, requests };
  };

  const variants = { 'global fetch (as shipped)': [] as string[], 'what-if: createNodeHttpFetch (not shipped)': ['--import', preload] };
  const walls: Record<string, number[]> = {};
  const requests: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? Object.entries(variants) : Object.entries(variants).reverse();
    for (const [variant, nodeArgs] of order) {
      const promote = await runAction(
        'promote',
        { image: `${registry.host}/${promoteRepo.repository}`, source: 'src', targets: `t-${round}-${variant.length}` },
        'refs/heads/main',
        nodeArgs,
      );
      (walls[`promote N=1, ${variant}`] ??= []).push(promote.wallMs);
      requests[`promote N=1, ${variant}`] = promote.requests;
      const ct = await runAction(
        'compute-tags',
        { images: `${registry.host}/${ctRepo.repository}`, ref: 'refs/tags/v1.2.3', 'registry-aware': 'true' },
        'refs/tags/v1.2.3',
        nodeArgs,
      );
      (walls[`compute-tags, ${variant}`] ??= []).push(ct.wallMs);
      requests[`compute-tags, ${variant}`] = ct.requests;
    }
  }
  process.stdout.write(`\n### What-if: the actions' registry client on node:http (${ROUNDS} rounds, interleaved)\n\n`);
  process.stdout.write(
    `${table(
      ['action, fetch', 'median wall', 'min', 'max', 'registry requests'],
      Object.entries(walls)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, values]) => [name, ms(median(values)), ms(Math.min(...values)), ms(Math.max(...values)), String(requests[name] ?? '')]),
    )}\n`,
  );
} finally {
  await registry.stop();
  await rm(dir, { recursive: true, force: true });
}
