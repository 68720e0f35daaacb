/**
 * `node --import tsx bench/first-request.ts`: the cost of a fresh process's first registry request
 * with the global fetch (undici) vs `createNodeHttpFetch()` (node:http), against a local server.
 *
 * Each child is a fresh `node` process running a bundle (esbuild, as the actions are bundled) that
 * creates a registry client and lists the tags of one repository. Printed per mode: the median time
 * from creating the client to having the tags, the process uptime at that point, and the wall time of
 * the whole process (start to exit). Environment: BENCH_ROUNDS (default 5).
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);

const CHILD = `
import { createNodeHttpFetch, createRegistryClient } from ${JSON.stringify(path.join(root, 'packages/core/src/index.ts'))};
const [mode, host] = process.argv.slice(2);
const t0 = performance.now();
const client = createRegistryClient(mode === 'node:http' ? { fetch: createNodeHttpFetch() } : {});
await client.listTags({ registry: host, repository: 'bench/app' });
console.log(JSON.stringify({ firstMs: performance.now() - t0, uptimeMs: performance.now() }));
`;

interface Sample {
  firstMs: number;
  uptimeMs: number;
  wallMs: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const dir = await mkdtemp(path.join(tmpdir(), 'tagwright-first-request-'));
const server = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ name: 'bench/app', tags: ['1.0.0', '1.1.0'] }));
});
try {
  const esbuild = createRequire(createRequire(path.join(root, 'node_modules/tsup/package.json')).resolve('tsup'))('esbuild') as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  await writeFile(path.join(dir, 'child.ts'), CHILD);
  const bundle = path.join(dir, 'child.mjs');
  await esbuild.build({
    entryPoints: [path.join(dir, 'child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const samples: Record<string, Sample[]> = { fetch: [], 'node:http': [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? ['fetch', 'node:http'] : ['node:http', 'fetch']) {
      const start = performance.now();
      const { stdout } = await execFileAsync(process.execPath, [bundle, mode, host]);
      const wallMs = performance.now() - start;
      samples[mode]?.push({ ...(JSON.parse(stdout) as { firstMs: number; uptimeMs: number }), wallMs });
    }
  }
  process.stdout.write(`First registry request in a fresh process (${ROUNDS} rounds, medians)\n\n`);
  process.stdout.write('| fetch implementation | client + first listTags | process uptime then | process wall (start to exit) |\n|---|---|---|---|\n');
  for (const [mode, list] of Object.entries(samples)) {
    const cell = (pick: (s: Sample) => number): string => `${median(list.map(pick)).toFixed(0)} ms`;
    process.stdout.write(`| ${mode} | ${cell((s) => s.firstMs)} | ${cell((s) => s.uptimeMs)} | ${cell((s) => s.wallMs)} |\n`);
  }
} finally {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
}
