/**
 * `pnpm bench`: tagwright against its peers at the protocol floor, on a registry this script starts.
 *
 * 1. Same-repository retag to N=1 and N=4 tags: the built promote action vs `skopeo copy --all
 *    --preserve-digests` once per tag.
 * 2. Cross-repository promotion of a two-platform index (3 × 20 MB, then 3 × 50 MB layers per
 *    platform) into a fresh repository: the promote action vs skopeo on a fresh runner (empty
 *    blob-info cache).
 * 3. compute-tags for `refs/tags/v1.2.3`, registry-aware: wall time and peak RSS of the built action
 *    vs docker/metadata-action v6.2.0's figures, and bare `node -e 0` here.
 * 4. Bundle sizes of every action.
 * 5. Tag listing and policy over 1k/5k/10k tags served 100 per page with Link headers (like GHCR):
 *    requests, computeTags CPU time, retained memory.
 * 6. Latency (bench/latency.ts): the fault proxy adds 25 ms to every request; per scenario wall time,
 *    request count and critical path beside the issue's targets, skopeo and a minimal curl script as peers;
 *    then cleanup of a GHCR package of 2,500 / 5,000 / 10,000 versions (bench/latency-ghcr.ts).
 *
 * Tools run as users run them (process start included), interleaved, several rounds; medians are
 * printed with ratios, request counts from the registry's access log, and PASS/FAIL against targets.
 * Environment: BENCH_ROUNDS (default 7), BENCH_LARGE_ROUNDS (default 5, the 3 × 50 MB case),
 * BENCH_LATENCY_MS (default 25), BENCH_SKIP_LATENCY=1, BENCH_ONLY_LATENCY=1.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRegistryClient } from '@tagwright/core';
import type { RepositoryReference } from '@tagwright/core';
import { pushImage, pushIndex, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';
import {
  accessLogCursor,
  actionEnv,
  ensureOk,
  median,
  measureProcess,
  mib,
  ms,
  ratio,
  readOutputs,
  summarizeLog,
  table,
  tempFile,
} from './lib.js';
import type { ProcessRun } from './lib.js';
import { LATENCY_MS, latencySection } from './latency.js';
import { ghcrCleanupRows } from './latency-ghcr.js';
import { startTagServer, syntheticTags } from './tag-server.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const LARGE_ROUNDS = Number(process.env['BENCH_LARGE_ROUNDS'] ?? 5);
const SHA = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
const MB = 1024 * 1024;
/** docker/metadata-action v6.2.0, `refs/tags/v1.2.3`, from the issue. */
const METADATA_ACTION = { wallMs: 624, peakMiB: 123, bareWallMs: 139, bareMiB: 39 };

const promoteDir = path.join(root, 'packages/action-promote');
const computeTagsDir = path.join(root, 'packages/action-compute-tags');
const results: { target: string; value: string; pass: boolean }[] = [];
const report: Record<string, unknown> = {};

function verdict(target: string, value: string, pass: boolean): void {
  results.push({ target, value, pass });
}

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Builds an action bundle when it is missing. */
async function ensureBuilt(dir: string, name: string): Promise<void> {
  if (existsSync(path.join(dir, 'dist/index.mjs'))) return;
  log(`building ${name} (pnpm --filter ${name} build)…`);
  await execFileAsync('pnpm', ['--filter', name, 'build'], { cwd: root, maxBuffer: 64 * MB });
}

/** Runs the built promote action as the runner does: INPUT_* env, $GITHUB_OUTPUT read back. */
async function runPromote(
  inputs: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<{ run: ProcessRun; outputs: Record<string, string> }> {
  const output = await tempFile('output');
  const summary = await tempFile('summary');
  const env = await actionEnv(path.join(promoteDir, 'action.yml'), inputs, { sha: SHA, ref: 'refs/heads/main' }, output, summary);
  const run = ensureOk(await measureProcess(process.execPath, [...nodeArgs, path.join(promoteDir, 'dist/index.mjs')], env), 'promote action');
  const outputs = await readOutputs(output);
  await rm(path.dirname(output), { recursive: true, force: true });
  await rm(path.dirname(summary), { recursive: true, force: true });
  return { run, outputs };
}

/** A home for skopeo: fresh (empty blob-info cache) or shared between runs. */
async function skopeoHome(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tagwright-bench-skopeo-'));
  await mkdir(path.join(dir, 'registries.d'));
  await chmod(dir, 0o777);
  return dir;
}

/**
 * `skopeo copy --all --preserve-digests` as an unprivileged user whose HOME/XDG dirs are `home`
 * (as root, skopeo would keep its blob-info cache in /var/lib/containers/cache, shared by every run).
 */
async function runSkopeo(home: string, host: string, from: string, to: string): Promise<ProcessRun> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_RUNTIME_DIR: home,
  };
  const args = [
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    'skopeo',
    '--registries.d',
    path.join(home, 'registries.d'),
    'copy',
    '--all',
    '--preserve-digests',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${host}/${from}`,
    `docker://${host}/${to}`,
  ];
  return ensureOk(await measureProcess('setpriv', args, env), `skopeo copy ${from} ${to}`);
}

/** Same-repository retag: promote (one process, N targets) vs skopeo (one process per tag). */
async function sameRepository(registry: RunningRegistry, n: number): Promise<void> {
  const client = createRegistryClient();
  const repository = `same${n}/app`;
  await pushIndex(client, { registry: registry.host, repository }, { tag: 'src', layerSizes: [MB, MB, MB] });
  const home = await skopeoHome();
  const cursor = await accessLogCursor(registry);
  const tw: number[] = [];
  const sk: number[] = [];
  // The floor of any action that runs on Node: starting `node -e 0`.
  const bareNode: number[] = [];
  let twRequests = 0;
  let skRequests = 0;
  let twReported = '';
  for (let round = 0; round < ROUNDS; round++) {
    const targets = Array.from({ length: n }, (_, i) => `tw-${round}-${i}`);
    const runTw = async (): Promise<void> => {
      await cursor.take();
      const { run, outputs } = await runPromote({ image: `${registry.host}/${repository}`, source: 'src', targets: targets.join(',') });
      tw.push(run.wallMs);
      twRequests = summarizeLog(await cursor.take()).requests;
      twReported = outputs['requests'] ?? '';
    };
    const runSk = async (): Promise<void> => {
      await cursor.take();
      let wall = 0;
      for (let i = 0; i < n; i++) wall += (await runSkopeo(home, registry.host, `${repository}:src`, `${repository}:sk-${round}-${i}`)).wallMs;
      sk.push(wall);
      skRequests = summarizeLog(await cursor.take()).requests;
    };
    if (round % 2 === 0) {
      await runTw();
      await runSk();
    } else {
      await runSk();
      await runTw();
    }
    if (n === 1) bareNode.push(ensureOk(await measureProcess(process.execPath, ['-e', '0']), 'node -e 0').wallMs);
  }
  await rm(home, { recursive: true, force: true });
  const r = median(tw) / median(sk);
  log(`\n### Same-repository retag, N=${n} (two-platform index, ${ROUNDS} rounds, interleaved)\n`);
  log(
    table(
      ['tool', 'median wall', 'min', 'max', 'registry requests'],
      [
        ['tagwright promote (built action)', ms(median(tw)), ms(Math.min(...tw)), ms(Math.max(...tw)), `${twRequests} (action output: ${twReported})`],
        [`skopeo copy ×${n}`, ms(median(sk)), ms(Math.min(...sk)), ms(Math.max(...sk)), String(skRequests)],
        ...(bareNode.length > 0
          ? [['bare `node -e 0` (the floor of any Node action)', ms(median(bareNode)), ms(Math.min(...bareNode)), ms(Math.max(...bareNode)), '-']]
          : []),
      ],
    ),
  );
  log(`\ntagwright / skopeo: ${ratio(r)}`);
  report[`same-repo-n${n}`] = { tagwright: tw, skopeo: sk, twRequests, skRequests };
  if (n === 1) {
    // No Node process can go below Node's own start: for N=1 the figure is what tagwright adds to it.
    const own = median(tw) - median(bareNode);
    log(`tagwright's own time above bare \`node -e 0\` for N=1: ${ms(own)} (${ms(median(tw))} − ${ms(median(bareNode))})`);
    report['same-repo-n1-own'] = own;
  } else {
    verdict(`same-repo N=${n}: ≤ 0.5× skopeo wall`, `${ratio(r)} (${ms(median(tw))} vs ${ms(median(sk))})`, r <= 0.5);
  }
  verdict(`same-repo N=${n}: 2 + 2N = ${2 + 2 * n} requests`, String(twRequests), twRequests === 2 + 2 * n);
}

/** Cross-repository promotion into a fresh repository each round. */
async function crossRepository(registry: RunningRegistry, layerMB: number, rounds: number): Promise<void> {
  const client = createRegistryClient();
  const source: RepositoryReference = { registry: registry.host, repository: `cross${layerMB}/staging` };
  await pushIndex(client, source, { tag: '1.0.0', layerSizes: [layerMB * MB, layerMB * MB, layerMB * MB] });
  const cursor = await accessLogCursor(registry);
  const tw: number[] = [];
  const sk: number[] = [];
  const twRss: number[] = [];
  const skRss: number[] = [];
  let twLog = summarizeLog([]);
  let twSignatureRequests: string[] = [];
  let skLog = summarizeLog([]);
  let twOut: Record<string, string> = {};
  for (let round = 0; round < rounds; round++) {
    const runTw = async (): Promise<void> => {
      await cursor.take();
      const { run, outputs } = await runPromote({
        image: `${registry.host}/${source.repository}`,
        source: '1.0.0',
        destination: `${registry.host}/cross${layerMB}/prod-tw-${round}`,
        targets: '1.0.0',
      });
      tw.push(run.wallMs);
      twRss.push(run.maxRssKiB);
      const entries = await cursor.take();
      twLog = summarizeLog(entries);
      // The action's copy-signatures step (default on): legacy `.sig` tag, referrers API, referrers tag schema.
      twSignatureRequests = entries
        .filter((e) => /\/referrers\/|\/manifests\/sha256-[0-9a-f]{64}(\.sig)?$/.test(e.path))
        .map((e) => `${e.method} ${e.path.replace(/[0-9a-f]{64}/, '<hex>')} ${e.status}`);
      twOut = outputs;
    };
    const runSk = async (): Promise<void> => {
      const home = await skopeoHome(); // a fresh runner: empty blob-info cache
      await cursor.take();
      const run = await runSkopeo(home, registry.host, `${source.repository}:1.0.0`, `cross${layerMB}/prod-sk-${round}:1.0.0`);
      sk.push(run.wallMs);
      skRss.push(run.maxRssKiB);
      skLog = summarizeLog(await cursor.take());
      await rm(home, { recursive: true, force: true });
    };
    if (round % 2 === 0) {
      await runTw();
      await runSk();
    } else {
      await runSk();
      await runTw();
    }
  }
  const r = median(tw) / median(sk);
  log(`\n### Cross-repository promotion, two platforms × 3 × ${layerMB} MB layers, fresh destination (${rounds} rounds)\n`);
  log(
    table(
      ['tool', 'median wall', 'peak RSS', 'registry requests', 'blob bytes served'],
      [
        [
          'tagwright promote (built action)',
          ms(median(tw)),
          mib(median(twRss)),
          `${twLog.requests} (action output: ${twOut['requests'] ?? '?'})`,
          `${twLog.blobBytesServed} (bytes-copied: ${twOut['bytes-copied'] ?? '?'})`,
        ],
        ['skopeo copy, fresh runner', ms(median(sk)), mib(median(skRss)), String(skLog.requests), `${(skLog.blobBytesServed / MB).toFixed(1)} MiB`],
      ],
    ),
  );
  log(`\ntagwright / skopeo: ${ratio(r)}; tagwright requests by method: ${JSON.stringify(twLog.byMethod)}`);
  log(
    `of which signature discovery (copy-signatures, default true): ${twSignatureRequests.length} (${twSignatureRequests.join(', ')}); image copy and tags: ${twLog.requests - twSignatureRequests.length}`,
  );
  report[`cross-repo-${layerMB}mb`] = { tagwright: tw, skopeo: sk, twRequests: twLog.requests, skRequests: skLog.requests, twRss, skRss };
  if (layerMB === 20) {
    verdict('cross-repo 3×20 MB: 0 blob bytes moved', String(twLog.blobBytesServed + Number(twOut['bytes-copied'] ?? 0)), twLog.blobBytesServed === 0 && twOut['bytes-copied'] === '0');
    // The image takes 16 (asserted below); bringing signatures along (copy-signatures, the default) adds
    // the 3 lookups no registry without the referrers API can answer with fewer.
    verdict('cross-repo 3×20 MB: ≤ 16 + 3 requests (action: the image, and signature discovery: .sig tag, referrers API, referrers tag)', String(twLog.requests), twLog.requests <= 19);
    verdict(
      'cross-repo 3×20 MB: ≤ 16 requests (image copy and tags)',
      String(twLog.requests - twSignatureRequests.length),
      twLog.requests - twSignatureRequests.length <= 16,
    );
    verdict('cross-repo 3×20 MB: ≤ 0.2× skopeo wall', `${ratio(r)} (${ms(median(tw))} vs ${ms(median(sk))})`, r <= 0.2);
  } else {
    report['flat'] = { tagwright: median(tw), requests: twLog.requests };
  }
}

/** compute-tags (built action) vs metadata-action's published figures; bare node here for scale. */
async function computeTags(registry: RunningRegistry): Promise<void> {
  const client = createRegistryClient();
  const repo: RepositoryReference = { registry: registry.host, repository: 'ct/app' };
  const image = await pushImage(client, repo, { tag: '1.0.0', layerSizes: [1024] });
  const manifest = await client.getManifest({ ...repo, digest: image.digest });
  for (const tag of ['1.0.1', '1.1.0', '1.2.0', '1.2.1', '1.2.2', '1.3.0', '2.0.0', 'latest', '1', '1.2', 'sha-1234567']) {
    await client.putManifest(repo, tag, manifest);
  }
  const cursor = await accessLogCursor(registry);
  const tw: ProcessRun[] = [];
  const bare: ProcessRun[] = [];
  let requests = 0;
  let tags = '';
  for (let round = 0; round < ROUNDS; round++) {
    const output = await tempFile('output');
    const summary = await tempFile('summary');
    const env = await actionEnv(
      path.join(computeTagsDir, 'action.yml'),
      { images: `${registry.host}/ct/app`, ref: 'refs/tags/v1.2.3', 'registry-aware': 'true' },
      { sha: SHA, ref: 'refs/tags/v1.2.3' },
      output,
      summary,
    );
    const runBare = async (): Promise<void> => {
      bare.push(ensureOk(await measureProcess(process.execPath, ['-e', '0']), 'node -e 0'));
    };
    const runTw = async (): Promise<void> => {
      await cursor.take();
      tw.push(ensureOk(await measureProcess(process.execPath, [path.join(computeTagsDir, 'dist/index.mjs')], env), 'compute-tags action'));
      requests = summarizeLog(await cursor.take()).requests;
      tags = (await readOutputs(output))['tag-names'] ?? (await readOutputs(output))['tags'] ?? '';
    };
    if (round % 2 === 0) {
      await runTw();
      await runBare();
    } else {
      await runBare();
      await runTw();
    }
    await rm(path.dirname(output), { recursive: true, force: true });
    await rm(path.dirname(summary), { recursive: true, force: true });
  }
  const wall = median(tw.map((r) => r.wallMs));
  const peak = median(tw.map((r) => r.maxRssKiB)) / 1024;
  const bareWall = median(bare.map((r) => r.wallMs));
  const barePeak = median(bare.map((r) => r.maxRssKiB)) / 1024;
  const wallRatio = wall / METADATA_ACTION.wallMs;
  const peakRatio = peak / METADATA_ACTION.peakMiB;
  // The same comparison with each figure scaled by bare node on its own machine.
  const wallRatioScaled = wall / bareWall / (METADATA_ACTION.wallMs / METADATA_ACTION.bareWallMs);
  const peakRatioScaled = peak / barePeak / (METADATA_ACTION.peakMiB / METADATA_ACTION.bareMiB);
  log(`\n### compute-tags, refs/tags/v1.2.3, registry-aware (${ROUNDS} rounds)\n`);
  log(
    table(
      ['', 'median wall', 'peak RSS', 'registry requests'],
      [
        ['tagwright compute-tags (built action)', ms(wall), `${peak.toFixed(0)} MiB`, String(requests)],
        ['bare `node -e 0`, here', ms(bareWall), `${barePeak.toFixed(0)} MiB`, '-'],
        ['docker/metadata-action v6.2.0 (issue)', ms(METADATA_ACTION.wallMs), `${METADATA_ACTION.peakMiB} MiB`, '-'],
        ['bare `node -e 0` (issue)', ms(METADATA_ACTION.bareWallMs), `${METADATA_ACTION.bareMiB} MiB`, '-'],
      ],
    ),
  );
  log(`\ntags given: ${tags.replace(/\n/g, ', ')}`);
  log(
    `ratios to metadata-action: wall ${ratio(wallRatio)} (scaled by bare node: ${ratio(wallRatioScaled)}), peak ${ratio(peakRatio)} (scaled: ${ratio(peakRatioScaled)})`,
  );
  report['compute-tags'] = { wall, peak, bareWall, barePeak };
  verdict('compute-tags: ≤ 0.5× metadata-action wall', `${ratio(wallRatio)} raw, ${ratio(wallRatioScaled)} scaled by bare node`, wallRatio <= 0.5);
  verdict('compute-tags: ≤ 0.5× metadata-action peak RSS', `${ratio(peakRatio)} raw, ${ratio(peakRatioScaled)} scaled by bare node`, peakRatio <= 0.5);
}

/** Sizes of every action's dist (JavaScript files; licenses and metafiles apart). */
async function bundleSizes(): Promise<void> {
  const packages = (await readdir(path.join(root, 'packages'))).filter((name) => name.startsWith('action-') && name !== 'action-kit');
  const rows: string[][] = [];
  for (const name of packages.sort()) {
    const dist = path.join(root, 'packages', name, 'dist');
    if (!existsSync(dist)) {
      rows.push([name, '(not built)', '', '']);
      continue;
    }
    let js = 0;
    let entry = 0;
    let files = 0;
    for (const file of await readdir(dist)) {
      if (!/\.(m|c)?js$/.test(file)) continue;
      const size = (await stat(path.join(dist, file))).size;
      js += size;
      files += 1;
      if (file === 'index.mjs' || file === 'index.js' || file === 'index.cjs') entry = size;
    }
    rows.push([name, `${(entry / 1024).toFixed(0)} KiB`, `${(js / 1024).toFixed(0)} KiB`, String(files)]);
  }
  log('\n### Bundle sizes (packages/action-*/dist)\n');
  log(table(['action', 'entry (loaded at start)', 'all chunks (lazy ones included)', 'files'], rows));
}

/** Tag listing (GHCR-like pages) and computeTags over 1k/5k/10k tags, each in a fresh process. */
async function policy(): Promise<void> {
  const sizes = [1000, 5000, 10_000];
  const server = await startTagServer({ 'acme/warm': ['1.0.0'], ...Object.fromEntries(sizes.map((n) => [`acme/app${n}`, syntheticTags(n)])) });
  const rows: string[][] = [];
  const figures: { tags: number; firstCpuMs: number; medianCpuMs: number; retainedBytes: number }[] = [];
  try {
    for (const n of sizes) {
      const { stdout } = await execFileAsync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', path.join(root, 'bench/policy-child.ts'), server.host, `acme/app${n}`],
        { cwd: root },
      );
      const f = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
        tags: number;
        requests: number;
        listMs: number;
        firstCpuMs: number;
        medianCpuMs: number;
        retainedBytes: number;
      };
      figures.push(f);
      rows.push([
        String(f.tags),
        String(f.requests),
        ms(f.listMs),
        ms(f.firstCpuMs),
        ms(f.medianCpuMs),
        `${(f.retainedBytes / MB).toFixed(2)} MiB`,
        `${(f.retainedBytes / f.tags).toFixed(0)} B`,
      ]);
    }
  } finally {
    await server.stop();
  }
  log('\n### Tag listing (100 per page, Link headers) and computeTags for refs/tags/v1.2.3\n');
  log(table(['tags', 'requests', 'listing wall', 'computeTags CPU (first call)', 'CPU (median of 20)', 'retained heap', 'per tag'], rows));
  const largest = figures[figures.length - 1];
  const smallest = figures[0];
  if (largest && smallest) {
    const growth = largest.retainedBytes / smallest.retainedBytes;
    const slope = (largest.retainedBytes - smallest.retainedBytes) / (largest.tags - smallest.tags);
    log(`\nretained heap 10k / 1k: ${growth.toFixed(1)}× for 10× the tags (linear: 10×); ${slope.toFixed(0)} B per added tag`);
    verdict('policy: computeTags over 10k tags ≤ 50 ms CPU (first call)', ms(largest.firstCpuMs), largest.firstCpuMs <= 50);
  }
  report['policy'] = figures;
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`# tagwright bench — ${new Date().toISOString()}`);
  const { stdout: skopeoVersion } = await execFileAsync('skopeo', ['--version']);
  log(`node ${process.version}, ${skopeoVersion.trim()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await ensureBuilt(promoteDir, '@tagwright/action-promote');
  await ensureBuilt(computeTagsDir, '@tagwright/action-compute-tags');
  const registry = await startRegistry();
  const onlyLatency = process.env['BENCH_ONLY_LATENCY'] === '1';
  try {
    if (!onlyLatency) {
      await sameRepository(registry, 1);
      await sameRepository(registry, 4);
      await crossRepository(registry, 20, ROUNDS);
      await crossRepository(registry, 50, LARGE_ROUNDS);
      await computeTags(registry);
    }
    if (process.env['BENCH_SKIP_LATENCY'] !== '1') {
      report['latency'] = await latencySection(registry, { rounds: ROUNDS, log, verdict, runPromote, skopeoHome, runSkopeo });
      report['latency-ghcr'] = await ghcrCleanupRows(registry, { log, verdict }, LATENCY_MS);
    }
  } finally {
    await registry.stop();
  }
  if (!onlyLatency) {
    await bundleSizes();
    await policy();
  }

  log('\n### Targets\n');
  log(table(['target', 'measured', 'result'], results.map((r) => [r.target, r.value, r.pass ? 'PASS' : 'FAIL'])));
  log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const dir = path.join(root, 'bench/results');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ results, report }, null, 2));
}

await main();
