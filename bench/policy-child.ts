/**
 * One tag-listing + tag-policy measurement in a fresh process (run by bench/run.ts with
 * `--expose-gc`): lists the tags of `REPOSITORY` on `HOST` (the GHCR-like tag server), then runs
 * core `computeTags` for `refs/tags/v1.2.3` over them. Prints one JSON line:
 * requests, listing wall time, computeTags CPU time (first call, and median of 20), and the heap
 * the tag list and the plan retain (after GC).
 *
 * Usage: node --expose-gc --import tsx bench/policy-child.ts HOST REPOSITORY
 */
import { computeTags, createRegistryClient } from '@tagwright/core';

const [host = '', repository = ''] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

let requests = 0;
const client = createRegistryClient({ onRequest: () => (requests += 1) });
gc();
const heapBefore = process.memoryUsage().heapUsed;

const listStarted = process.hrtime.bigint();
const tags = await client.listTags({ registry: host, repository });
const listMs = Number(process.hrtime.bigint() - listStarted) / 1e6;

const input = {
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
const plan = computeTags(input);
const firstCpuMs = cpuMs(since);
const runs: number[] = [];
for (let i = 0; i < 20; i++) {
  since = process.cpuUsage();
  computeTags(input);
  runs.push(cpuMs(since));
}
runs.sort((a, b) => a - b);
gc();
const retainedBytes = process.memoryUsage().heapUsed - heapBefore;

process.stdout.write(
  `${JSON.stringify({
    tags: tags.length,
    requests,
    listMs,
    firstCpuMs,
    medianCpuMs: runs[Math.floor(runs.length / 2)] ?? Number.NaN,
    retainedBytes,
    maxRssKiB: process.resourceUsage().maxRSS,
    given: plan.tags,
  })}\n`,
);
