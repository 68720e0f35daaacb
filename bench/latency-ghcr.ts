/**
 * The GHCR cleanup rows of the latency section: a container package of 2,500, 5,000 and 10,000 versions
 * in testkit's GitHub API double (GitHub's OpenAPI description checks every request; the versions are put
 * straight into its state, not sent as 10,000 requests), the Packages API and the bench registry each
 * behind a fault proxy adding 25 ms to every request. Per size it prints the Packages API requests
 * (pages, version re-reads, deletes), the registry reads, the wall time, and memory: the heap the cleanup
 * still holds once it is done with the inventory in reach (after a full GC), and the RSS growth.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cleanup, createGitHubClient, createRegistryClient, ghcrRetentionBackend } from '@tagwright/core';
import type { RegistryClient, RepositoryReference, RetentionBackend } from '@tagwright/core';
import { pushTinyImageBlobs, putTinyImage, startFaultProxy, startGitHubApi } from '@tagwright/testkit';
import type { FaultProxy, GitHubApi, ProxyLogEntry, RunningRegistry } from '@tagwright/testkit';
import { ms, table } from './lib.js';

/** Versions of the package, per row. */
const SIZES = [2_500, 5_000, 10_000];
/** Versions that go in each row: the oldest tagged builds beyond the kept ones. */
const DELETES = 100;
/** One version in 4 is a tagged image; the others are untagged (platform manifests, signatures, superseded builds). */
const TAGGED_EVERY = 4;
const MiB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
/** Two full collections: what is left is what something still holds. */
const gc = (): void => {
  collect();
  collect();
};

const minute = (i: number): string => new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString().replace(/\.000Z$/, 'Z');

/** What the GHCR rows borrow from bench/run.ts. */
export interface GhcrDeps {
  log(line?: string): void;
  verdict(target: string, value: string, pass: boolean): void;
}

interface GhcrFigures {
  versions: number;
  tagged: number;
  pages: number;
  /** Pages of the listing after the deletions. */
  pagesAfter: number;
  deletes: number;
  apiRequests: number;
  listings: number;
  versionReads: number;
  registryReads: number;
  wallMs: number;
  retainedBytes: number;
  rssDeltaBytes: number;
}

/** Seeds `count` versions, oldest first: every TAGGED_EVERY-th a tagged image in the registry, the others untagged. */
async function seedPackage(api: GitHubApi, client: RegistryClient, repo: RepositoryReference, count: number): Promise<void> {
  const blobs = await pushTinyImageBlobs(client, repo);
  const packageName = repo.repository.split('/').slice(1).join('/');
  const tagged: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i % TAGGED_EVERY === TAGGED_EVERY - 1) tagged.push(i);
    else api.state.addPackageVersion({ org: 'acme' }, packageName, { digest: `sha256:${i.toString(16).padStart(64, 'e')}`, createdAt: minute(i) });
  }
  const put = async (i: number): Promise<void> => {
    const tag = `sha-${i.toString(16).padStart(7, '0')}`;
    const digest = await putTinyImage(client, repo, [tag], { blobs, created: minute(i) });
    api.state.addPackageVersion({ org: 'acme' }, packageName, { digest, tags: [tag], createdAt: minute(i) });
  };
  for (let i = 0; i < tagged.length; i += 32) await Promise.all(tagged.slice(i, i + 32).map(put));
}

const kindOf = (entry: ProxyLogEntry): 'listing' | 'version' | 'delete' | 'other' =>
  entry.method === 'DELETE' ? 'delete' : /\/versions(\?|$)/.test(entry.path) ? 'listing' : /\/versions\/\d+/.test(entry.path) ? 'version' : 'other';

/** The GHCR cleanup rows; returns their figures for the JSON report. */
export async function ghcrCleanupRows(registry: RunningRegistry, deps: GhcrDeps, latencyMs: number): Promise<GhcrFigures[]> {
  const { log, verdict } = deps;
  const delay = { path: /./, fault: { kind: 'delay' as const, ms: latencyMs } };
  const api = await startGitHubApi({ owner: 'acme', repo: 'app', token: 'ghs_bench' });
  let apiProxy: FaultProxy | undefined;
  let registryProxy: FaultProxy | undefined;
  const figures: GhcrFigures[] = [];
  try {
    apiProxy = await startFaultProxy({ upstream: api.url, rules: [delay] });
    registryProxy = await startFaultProxy({ upstream: registry.url, rules: [delay] });
    const seeder = createRegistryClient();
    // A first, small run loads octokit and compiles the double's validators; it is not printed.
    for (const versions of [800, ...SIZES]) {
      const repository = `acme/ghcr-${versions}`;
      await seedPackage(api, seeder, { registry: registry.host, repository }, versions);
      const tagged = versions / TAGGED_EVERY;
      const repo: RepositoryReference = { registry: registryProxy.host, repository };
      // Octokit's write throttling (one write per second) is off against the double, as in the tests.
      const github = createGitHubClient({ token: api.token, repository: 'acme/app', baseUrl: apiProxy.url, throttling: false });
      let backend: RetentionBackend | undefined = ghcrRetentionBackend({ github, client: createRegistryClient(), repo });
      let held: unknown;
      const apiBefore = apiProxy.log.length;
      const registryBefore = registryProxy.log.length;
      gc();
      const rssBefore = process.memoryUsage().rss;
      const started = performance.now();
      const report = await cleanup(
        { image: repo, policy: { keep: [{ pattern: 'sha-*', count: tagged - DELETES }] }, trigger: { mode: 'scheduled' }, dryRun: false, now: new Date('2026-12-01T00:00:00Z') },
        {
          backend: () => ({
            ...(backend as RetentionBackend),
            // Keeps the inventory in reach, so that the heap measured below holds it.
            gather: async (options) => {
              const gathered = await (backend as RetentionBackend).gather(options);
              held = gathered;
              return gathered;
            },
          }),
        },
      );
      const wallMs = performance.now() - started;
      const rssDeltaBytes = process.memoryUsage().rss - rssBefore;
      // What the cleanup holds (the versions, the inventory): the heap with it in reach, minus without.
      gc();
      const withInventory = process.memoryUsage().heapUsed;
      held = undefined;
      backend = undefined;
      void held;
      void backend;
      gc();
      const retainedBytes = withInventory - process.memoryUsage().heapUsed;
      const calls = apiProxy.log.slice(apiBefore);
      const count = (kind: ReturnType<typeof kindOf>): number => calls.filter((entry) => kindOf(entry) === kind).length;
      if (versions === 800) continue;
      figures.push({
        versions,
        tagged,
        pages: Math.ceil(versions / 100),
        pagesAfter: Math.ceil((versions - (report.execution?.deleted.length ?? 0)) / 100),
        deletes: report.execution?.deleted.length ?? 0,
        apiRequests: calls.length,
        listings: count('listing'),
        versionReads: count('version'),
        registryReads: registryProxy.log.length - registryBefore,
        wallMs,
        retainedBytes,
        rssDeltaBytes,
      });
    }
    api.assertNoViolations();
  } finally {
    await apiProxy?.close();
    await registryProxy?.close();
    await api.stop();
  }

  const formula = 'pages + deletes, + the safety re-reads: 1 version GET per delete and 1 listing (pages after) after the last';
  log(`\n### Cleanup on GHCR-like paging: Packages API double, 100 versions per page, ${latencyMs} ms per request; 1 version in ${TAGGED_EVERY} tagged\n`);
  log(
    table(
      ['versions', 'pages', 'deletes', 'API requests (listing pages + version GETs + DELETEs)', 'target: ' + formula, 'registry reads (tagged manifests)', 'wall', 'heap held (versions + inventory)', 'per version', 'process RSS growth¹'],
      figures.map((f) => [
        f.versions.toLocaleString('en-US'),
        String(f.pages),
        String(f.deletes),
        `${f.apiRequests} (${f.listings} + ${f.versionReads} + ${f.apiRequests - f.listings - f.versionReads})`,
        `${f.pages} + ${f.deletes} + (${f.deletes} + ${f.pagesAfter}) = ${f.pages + 2 * f.deletes + f.pagesAfter}`,
        `${f.registryReads} of ${f.tagged}`,
        ms(f.wallMs),
        `${(f.retainedBytes / MiB).toFixed(2)} MiB`,
        `${(f.retainedBytes / f.versions).toFixed(0)} B`,
        `${(f.rssDeltaBytes / MiB).toFixed(1)} MiB`,
      ]),
    ),
  );
  const first = figures[0];
  const last = figures[figures.length - 1];
  if (first && last) {
    const growth = last.retainedBytes / first.retainedBytes;
    log('\n¹ the whole bench process: the two proxies\' logs and the double\'s request records grow with it.');
    log(
      `\nheap held ${last.versions.toLocaleString('en-US')} / ${first.versions.toLocaleString('en-US')} versions: ${growth.toFixed(1)}× for ` +
        `${(last.versions / first.versions).toFixed(0)}× the versions (linear: ${(last.versions / first.versions).toFixed(0)}×). The issue's target is ` +
        '"requests = pages + deletes"; the extra deletes + pages are the re-read of each version right before its DELETE ' +
        '(the Packages API has no conditional delete) and the one listing after the last DELETE that finds a kept tag lost meanwhile. ' +
        'Registry reads: each tagged version\'s manifest once (index children and referrers), untagged versions never (delete-untagged off).',
    );
    for (const f of figures) {
      verdict(
        `latency: GHCR cleanup ${f.versions.toLocaleString('en-US')} versions, API requests = ${formula}`,
        `${f.apiRequests} = ${f.pages} + ${f.deletes} + (${f.deletes} + ${f.pagesAfter})`,
        f.apiRequests === f.pages + 2 * f.deletes + f.pagesAfter && f.deletes === DELETES,
      );
    }
    verdict('latency: GHCR cleanup no read per untagged version', `${last.registryReads} registry reads for ${last.tagged} tagged of ${last.versions} versions`, figures.every((f) => f.registryReads === f.tagged));
    const ratio = last.versions / first.versions;
    // One GC-based measurement per size: ±40 % between runs on a busy machine, hence the margin.
    verdict('latency: GHCR cleanup memory linear in versions', `${growth.toFixed(1)}× heap for ${ratio.toFixed(0)}× versions`, growth <= ratio * 1.5);
  }
  return figures;
}
