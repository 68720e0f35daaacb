/**
 * The latency section of `pnpm bench`: every registry request goes through testkit's fault proxy,
 * which adds 25 ms to each (a runner talking to ghcr.io or Docker Hub), and every scenario prints its
 * wall time, its request count and its critical path (the longest chain of requests that had to wait
 * for each other, derived from the proxy's log by {@link criticalPath}), beside its target.
 * Peers through the same proxy: `skopeo copy --all --preserve-digests` per tag, and a plain `curl`
 * script doing the protocol's minimum one request after another (bench/minimal-promote.sh).
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  DEFAULT_MAX_CONCURRENCY_PER_HOST,
  ROLLBACK_AUDIT_TEMPLATE,
  cleanup,
  computeImageTags,
  createRegistryClient,
  registryRetentionBackend,
  rollback,
} from '@tagwright/core';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { createSigstoreMockWithTrustedRoot, criticalPath, pushImage, pushIndex, pushLegacySignatures, startFaultProxy } from '@tagwright/testkit';
import type { FaultProxy, FaultRule, ProxyLogEntry, RunningRegistry } from '@tagwright/testkit';
import { median, ms, ratio, table } from './lib.js';
import type { ProcessRun } from './lib.js';

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
/** Added to every request by the proxy. */
export const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 25);
const SHA = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

/** What the latency section borrows from bench/run.ts. */
export interface LatencyDeps {
  rounds: number;
  log(line?: string): void;
  verdict(target: string, value: string, pass: boolean): void;
  runPromote(inputs: Record<string, string>): Promise<{ run: ProcessRun; outputs: Record<string, string> }>;
  skopeoHome(): Promise<string>;
  runSkopeo(home: string, host: string, from: string, to: string): Promise<ProcessRun>;
}

interface Measured {
  wallMs: number;
  requests: number;
  critical: number;
  /** Requests answered 429 (rate-limit scenarios). */
  throttled: number;
}

const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

/** Runs `action` and reads what went through the proxy meanwhile. */
async function through(proxy: FaultProxy, action: () => Promise<unknown>): Promise<Measured> {
  const before = proxy.log.length;
  const started = performance.now();
  await action();
  const wallMs = performance.now() - started;
  const entries: ProxyLogEntry[] = proxy.log.slice(before);
  return { wallMs, requests: entries.length, critical: criticalPath(entries).length, throttled: entries.filter((e) => e.status === 429).length };
}

/** Median wall and the (last round's) counts over `count` runs. */
async function rounds(
  proxy: FaultProxy,
  count: number,
  action: (round: number) => Promise<unknown>,
): Promise<Measured & { walls: number[] }> {
  const walls: number[] = [];
  let last: Measured = { wallMs: 0, requests: 0, critical: 0, throttled: 0 };
  for (let round = 0; round < count; round++) {
    last = await through(proxy, () => action(round));
    walls.push(last.wallMs);
  }
  return { ...last, wallMs: median(walls), walls };
}

/** Runs bench/minimal-promote.sh: the protocol's minimum with curl, sequentially. */
async function curlPromote(args: string[]): Promise<void> {
  await execFileAsync('bash', [path.join(here, 'minimal-promote.sh'), ...args], { maxBuffer: 16 * 1024 * 1024 });
}

/** The latency section; returns its figures for the JSON report. */
export async function latencySection(registry: RunningRegistry, deps: LatencyDeps): Promise<Record<string, unknown>> {
  const { log, verdict } = deps;
  const delay: FaultRule = { path: /./, fault: { kind: 'delay', ms: LATENCY_MS } };
  const proxy = await startFaultProxy({ upstream: registry.url, rules: [delay] });
  const seeder = createRegistryClient();
  const fast = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  const slow = (repository: string): RepositoryReference => ({ registry: proxy.host, repository });
  const client = (): RegistryClient => createRegistryClient();
  const figures: Record<string, unknown> = {};
  const rows: string[][] = [];
  const row = (scenario: string, who: string, m: Measured, target: string, result: string): void => {
    rows.push([scenario, who, ms(m.wallMs), String(m.requests), String(m.critical), target, result]);
  };
  const n = Math.max(1, Math.min(deps.rounds, 3));
  const images = Array.from({ length: 6 }, (_, i) => `lat/set-${i}`);
  const { sigstore, trustedRoot, dispose: disposeSigstore } = await createSigstoreMockWithTrustedRoot();
  log(`\n## Latency: ${LATENCY_MS} ms added to every request by the fault proxy (${n} rounds, medians; load average ${load()})\n`);
  try {
    // 1. Promote one image to 4 tags, same repository.
    {
      await pushIndex(seeder, fast('lat/same'), { tag: 'src', layerSizes: [1024, 1024, 1024] });
      const home = await deps.skopeoHome();
      const tw = await rounds(proxy, n, (r) =>
        deps.runPromote({ image: `${proxy.host}/lat/same`, source: 'src', targets: [0, 1, 2, 3].map((i) => `tw-${r}-${i}`).join(',') }),
      );
      const sk = await rounds(proxy, n, async (r) => {
        for (let i = 0; i < 4; i++) await deps.runSkopeo(home, proxy.host, 'lat/same:src', `lat/same:sk-${r}-${i}`);
      });
      const curl = await rounds(proxy, n, (r) => curlPromote([proxy.url, 'lat/same', 'src', 'lat/same', ...[0, 1, 2, 3].map((i) => `curl-${r}-${i}`)]));
      const r = tw.wallMs / sk.wallMs;
      row('promote 1 image → 4 tags, same repo', 'tagwright promote (built action)', tw, 'critical path ≤ 4; ≤ 0.2× skopeo×4', `${tw.critical}; ${ratio(r)}`);
      row('', 'skopeo copy ×4', sk, '', '');
      row('', 'curl, protocol minimum, sequential', curl, '', '');
      verdict(`latency: promote 4 tags critical path ≤ 4`, String(tw.critical), tw.critical <= 4);
      verdict(`latency: promote 4 tags ≤ 0.2× skopeo×4 wall`, `${ratio(r)} (${ms(tw.wallMs)} vs ${ms(sk.wallMs)})`, r <= 0.2);
      figures['promote-4'] = { tagwright: tw, skopeo: sk, curl };
    }

    // 2. Cross-repository promotion, 2 platforms × 3 layers.
    {
      await pushIndex(seeder, fast('lat/staging'), { tag: '1.0.0', layerSizes: [256 * 1024, 256 * 1024, 256 * 1024] });
      const before = proxy.log.length;
      const tw = await rounds(proxy, n, (r) =>
        deps.runPromote({ image: `${proxy.host}/lat/staging`, source: '1.0.0', destination: `${proxy.host}/lat/prod-tw-${r}`, targets: '1.0.0' }),
      );
      const blobBytes = proxy.log
        .slice(before)
        .filter((e) => /\/blobs\/sha256:/.test(e.path) && (e.method === 'GET' || e.method === 'PUT' || e.method === 'PATCH')).length;
      const sk = await rounds(proxy, n, async (r) => {
        const home = await deps.skopeoHome();
        await deps.runSkopeo(home, proxy.host, 'lat/staging:1.0.0', `lat/prod-sk-${r}:1.0.0`);
      });
      const curl = await rounds(proxy, n, (r) => curlPromote([proxy.url, 'lat/staging', '1.0.0', `lat/prod-curl-${r}`, '1.0.0']));
      const r = tw.wallMs / sk.wallMs;
      row('cross-repo promote, 2 platforms × 3 layers', 'tagwright promote (built action)', tw, 'critical path ≤ 6; 0 blob bytes; ≤ 0.1× skopeo', `${tw.critical}; ${blobBytes} blob transfers; ${ratio(r)}`);
      row('', 'skopeo copy, fresh runner', sk, '', '');
      row('', 'curl, mounts, sequential', curl, '', '');
      verdict('latency: cross-repo critical path ≤ 6', String(tw.critical), tw.critical <= 6);
      verdict('latency: cross-repo 0 blob bytes', `${blobBytes} blob GET/PUT/PATCH`, blobBytes === 0);
      verdict('latency: cross-repo ≤ 0.1× skopeo wall', `${ratio(r)} (${ms(tw.wallMs)} vs ${ms(sk.wallMs)})`, r <= 0.1);
      const floor = 6 * LATENCY_MS;
      log(
        `cross-repo floor: the 6 round trips of the critical-path target alone take ${ms(floor)} = ${ratio(floor / sk.wallMs)} of skopeo's ${ms(sk.wallMs)}, ` +
          `before Node's start; tagwright spends ${ms(tw.wallMs - floor)} beyond them (process start, verification of digests, bundle load)`,
      );
      figures['cross-repo'] = { tagwright: tw, skopeo: sk, curl };
    }

    // 3. Release set: 6 images × (X.Y.Z, latest), verified (keyless, Sigstore mock), through the built
    //    promote action with `images`: six images at once vs one image alone.
    const identity = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main';
    for (const image of images) {
      const built = await pushIndex(seeder, fast(image), { tag: 'rc', seed: image, layerSizes: [1024] });
      await pushLegacySignatures(seeder, fast(image), built.digest, [await sigstore.signLegacy(built.digest, { identity })]);
    }
    const verified = { 'certificate-identity': identity, 'certificate-oidc-issuer': sigstore.defaultIssuer, 'trusted-root': trustedRoot };
    const promoteSet = (names: string[], version: string): Promise<unknown> =>
      deps.runPromote({ images: names.map((name) => `${proxy.host}/${name}`).join('\n'), source: 'rc', targets: `${version},latest`, ...verified });
    {
      const one = await rounds(proxy, n, (r) => promoteSet(images.slice(0, 1), `1.0.${r}`));
      const six = await rounds(proxy, n, (r) => promoteSet(images, `2.0.${r}`));
      const r = six.wallMs / one.wallMs;
      row('release set 6 images × (X.Y.Z, latest), verified', 'tagwright promote `images` (built action)', six, 'wall ≤ 1.5× one image', ratio(r));
      row('', 'one image', one, '', '');
      verdict('latency: release set of 6 ≤ 1.5× one image wall', `${ratio(r)} (${ms(six.wallMs)} vs ${ms(one.wallMs)})`, r <= 1.5);
      figures['release-set'] = { one, six };
    }

    // 4. compute-tags for 6 images, registry-aware.
    {
      const computeFor = (names: string[]): Promise<unknown> => {
        const c = client();
        return computeImageTags(
          {
            images: names.map(slow),
            policy: { ref: { ref: 'refs/tags/v1.2.3', sha: SHA }, floating: { major: true, minor: true, latest: true }, branchTags: {}, shaTag: true, tagPrefix: '', registryAware: true },
            staging: false,
            now: new Date(),
          },
          { listTags: (image) => c.listTags(image) },
        );
      };
      const one = await rounds(proxy, n, () => computeFor(images.slice(0, 1)));
      const six = await rounds(proxy, n, () => computeFor(images));
      const r = six.wallMs / one.wallMs;
      row('compute-tags, 6 images, registry-aware', 'computeImageTags (core)', six, 'wall ≤ 1.3× one image', ratio(r));
      row('', 'one image', one, '', '');
      verdict('latency: compute-tags 6 images ≤ 1.3× one image wall', `${ratio(r)} (${ms(six.wallMs)} vs ${ms(one.wallMs)})`, r <= 1.3);
      figures['compute-tags'] = { one, six };
    }

    // 5. Rollback with 50 history tags (a fresh repository per round).
    {
      const runs: Measured[] = [];
      for (let r = 0; r < Math.min(n, 2); r++) {
        const repository = `lat/rollback-${r}`;
        let last = '';
        for (let i = 0; i < 50; i++) {
          const date = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10).replace(/-/g, '');
          const tag = `prod-${date}-${i.toString(16).padStart(7, '0')}`;
          last = (await pushImage(seeder, fast(repository), { tag, seed: `rb-${r}-${i}`, layerSizes: [64] })).digest;
        }
        await seeder.putManifest(fast(repository), 'prod', await seeder.getManifest({ ...fast(repository), digest: last }));
        // Seeding went straight to the registry; only the rollback goes through the proxy.
        runs.push(
          await through(proxy, () =>
            rollback(
              {
                image: slow(repository),
                track: 'prod',
                also: [],
                history: { pattern: 'prod-*', matches: (tag) => tag.startsWith('prod-'), stampTemplates: ['prod-{date}-{sha}'] },
                auditTemplate: ROLLBACK_AUDIT_TEMPLATE,
                dryRun: false,
                now: new Date(),
              },
              { client: client() },
            ),
          ),
        );
      }
      const inner: Measured = { ...runs[runs.length - 1]!, wallMs: median(runs.map((m) => m.wallMs)) };
      row('rollback, 50 history tags', 'rollback (core)', inner, 'critical path ≤ 6', String(inner.critical));
      verdict('latency: rollback 50 history critical path ≤ 6', String(inner.critical), inner.critical <= 6);
      figures['rollback'] = inner;
    }

    // 6. Cleanup plan over 2,000 tags on 1,000 digests (generic registry), dry run.
    {
      const repository = 'lat/cleanup';
      const config = await seeder.putBlob(fast(repository), new TextEncoder().encode(JSON.stringify({ created: '2026-01-01T00:00:00Z', architecture: 'amd64', os: 'linux' })));
      const layer = await seeder.putBlob(fast(repository), new Uint8Array(64));
      const put = async (i: number): Promise<void> => {
        const manifest = {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.digest, size: layer.size }],
          annotations: { build: String(i) },
        };
        const raw = { bytes: new TextEncoder().encode(JSON.stringify(manifest)), mediaType: manifest.mediaType };
        await seeder.putManifest(fast(repository), `sha-${i.toString(16).padStart(7, '0')}`, raw as never);
        await seeder.putManifest(fast(repository), `pr-${i}`, raw as never);
      };
      for (let i = 0; i < 1000; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => put(i + j)));
      const cl = await rounds(proxy, 1, () =>
        cleanup(
          { image: slow(repository), policy: { keep: [{ pattern: 'sha-*', count: 30 }] }, trigger: { mode: 'scheduled' }, dryRun: true, now: new Date() },
          { backend: () => registryRetentionBackend({ client: client(), repo: slow(repository) }) },
        ),
      );
      // The registry client's per-host bound (the gather runs that many reads at once).
      const concurrency = DEFAULT_MAX_CONCURRENCY_PER_HOST;
      const bound = 1.5 * (cl.requests / concurrency) * LATENCY_MS;
      row('cleanup plan, 2,000 tags on 1,000 digests (dry run)', 'cleanup (core), generic registry', cl, `≤ 2 requests per digest; wall ≤ 1.5 × (requests ÷ ${concurrency}) × ${LATENCY_MS} ms = ${ms(bound)}`, `${(cl.requests / 1000).toFixed(2)} per digest`);
      verdict('latency: cleanup ≤ 2 requests per digest inspected', `${cl.requests} requests for 1000 digests`, cl.requests <= 2 * 1000 + 2);
      verdict(`latency: cleanup wall ≤ 1.5 × (requests ÷ ${concurrency}) × ${LATENCY_MS} ms`, `${ms(cl.wallMs)} vs ${ms(bound)}`, cl.wallMs <= bound);
      figures['cleanup'] = cl;
    }

    // 7. Rate limits: 429 with Retry-After beyond 4 concurrent requests.
    {
      proxy.clearRules();
      proxy.addRule({ path: /./, fault: { kind: 'rate-limit', maxConcurrent: 4, retryAfter: '1', delayMs: LATENCY_MS } });
      const six = await through(proxy, () => promoteSet(images, '3.0.0'));
      row('release set under 429 (> 4 concurrent, Retry-After: 1)', 'tagwright promote `images`, verified', six, 'finishes; time waited printed', `${six.throttled} × 429`);
      const waitedSet = six.wallMs - ((figures['release-set'] as { six: Measured }).six.wallMs ?? 0);
      log(`rate-limited release set: ${six.throttled} requests answered 429, finished in ${ms(six.wallMs)}: waited about ${ms(waitedSet)} more than unthrottled`);
      const cl = await through(proxy, () =>
        cleanup(
          { image: slow('lat/cleanup'), policy: { keep: [{ pattern: 'sha-*', count: 30 }] }, trigger: { mode: 'scheduled' }, dryRun: true, now: new Date() },
          { backend: () => registryRetentionBackend({ client: client(), repo: slow('lat/cleanup') }) },
        ),
      );
      const waitedCleanup = cl.wallMs - ((figures['cleanup'] as Measured | undefined)?.wallMs ?? 0);
      row('cleanup plan under 429 (> 4 concurrent)', 'cleanup (core), generic registry', cl, 'finishes; time waited printed', `${cl.throttled} × 429`);
      log(`rate-limited cleanup: ${cl.throttled} requests answered 429, finished in ${ms(cl.wallMs)}: waited about ${ms(waitedCleanup)} more than unthrottled`);
      verdict('latency: cleanup finishes under 429 rate limits', `${cl.throttled} × 429, ${ms(cl.wallMs)}`, true);
      figures['cleanup-429'] = { ...cl, waitedMs: waitedCleanup };
      verdict('latency: release set finishes under 429 rate limits', `${six.throttled} × 429, ${ms(six.wallMs)}`, true);
      figures['release-set-429'] = { ...six, waitedMs: waitedSet };
      proxy.clearRules();
      proxy.addRule(delay);
    }
  } catch (error) {
    log(`latency section stopped: ${error instanceof Error ? error.message : String(error)}`);
    verdict('latency: section completed', error instanceof Error ? error.message : String(error), false);
  } finally {
    await proxy.close();
    await disposeSigstore();
  }
  log(table(['scenario', 'who', 'median wall', 'requests', 'critical path', 'target', 'result'], rows));
  log('\nrelease set: the built promote action with `images` (6 images, or 1), keyless verification of every image against the Sigstore mock\'s trusted root, digest checks and the re-read after every write included; process start is in both walls.');
  log(`load average after the latency section: ${load()}`);
  return figures;
}
