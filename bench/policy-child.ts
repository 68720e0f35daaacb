/**
 * One tag-listing + tag-policy measurement in a fresh process (run by bench/run.ts with
 * `--expose-gc`): lists the tags of `REPOSITORY` on `HOST` (the GHCR-like tag server), then runs
 * core `computeTags` for `refs/tags/v1.2.3` over them. Prints one JSON line:
 * requests, listing wall time, computeTags CPU time (first call, and median of 20), and the heap
 * the tag list and the plan retain (heap after GC with them, minus the heap after GC before listing).
 *
 * Usage: node --expose-gc --import tsx bench/policy-child.ts HOST REPOSITORY
 */
import { computeTags, createNodeHttpFetch, createRegistryClient } from '@tagwright/core';

const [host = '', repository = '', warmRepository = 'acme/warm'] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

let requests = 0;
const client = createRegistryClient({ fetch: createNodeHttpFetch(), onRequest: () => (requests += 1) });
// Warm the HTTP stack (as the actions do, node:http) so the listing wall time is the pages' own.
await client.listTags({ registry: host, repository: warmRepository });
requests = 0;
// What the tag list and the plan hold: the heap after GC with them, minus the heap after GC before listing.
gc();
const heapBefore = process.memoryUsage().heapUsed;
const listStarted = process.hrtime.bigint();
const tags: string[] = await client.listTags({ registry: host, repository });
const listMs = Number(process.hrtime.bigint() - listStarted) / 1e6;

const input: Parameters<typeof computeTags>[0] = {
  ref: { ref: 'refs/tags/v1.2.3', sha: '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d' },
  existingTags: tags,
  floating: { major: true, minor: true, latest: true },
  branchTags: {},
  shaTag: true,
  tagPrefix: '',
  registryAware: true,
  now: new Date('2026-11-22T00:00:00Z'),
};
let since = process.cpuUsage();
const plan: ReturnType<typeof computeTags> = computeTags(input);
const firstCpuMs = cpuMs(since);
const runs: number[] = [];
for (let i = 0; i < 20; i++) {
  since = process.cpuUsage();
  computeTags(input);
  runs.push(cpuMs(since));
}
runs.sort((a, b) => a - b);
const count = tags.length;
const given = plan.tags;
gc();
const retainedBytes = process.memoryUsage().heapUsed - heapBefore;
// Keep the list and the plan alive up to the measurement.
if (tags.length < 0 || input.existingTags.length < 0 || plan.tags.length < 0) process.exit(2);

process.stdout.write(
  `${JSON.stringify({
    tags: count,
    requests,
    listMs,
    firstCpuMs,
    medianCpuMs: runs[Math.floor(runs.length / 2)] ?? Number.NaN,
    retainedBytes,
    maxRssKiB: process.resourceUsage().maxRSS,
    given,
  })}\n`,
);
