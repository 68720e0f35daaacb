/**
 * Bench helpers: run a process the way a user runs it (process start included) and measure its
 * wall time and peak RSS, read the registry's access log between two points, and summarize rounds.
 * Benchmarks print figures; nothing here asserts a time.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAccessLog } from '@tagwright/testkit';
import type { AccessLogEntry, RunningRegistry } from '@tagwright/testkit';
import { parse } from 'yaml';

/** One finished process. */
export interface ProcessRun {
  /** Wall time in milliseconds, from spawn to exit. */
  wallMs: number;
  /** Peak resident set size in KiB (from `/usr/bin/time`), or NaN when not available. */
  maxRssKiB: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Runs `command args` with `env` and measures it. With `/usr/bin/time` the peak RSS is its `%M`;
 * the wall time is ours, the same way for every tool.
 */
export async function measureProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcessRun> {
  const dir = await mkdtemp(join(tmpdir(), 'tagwright-bench-time-'));
  const timeFile = join(dir, 'time.txt');
  const [file, argv] = TIME ? [TIME, ['-f', '%M', '-o', timeFile, command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? -1));
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let maxRssKiB = Number.NaN;
  if (TIME) {
    const text = await readFile(timeFile, 'utf8').catch(() => '');
    const last = text.trim().split('\n').pop() ?? '';
    if (/^\d+$/.test(last)) maxRssKiB = Number(last);
  }
  await rm(dir, { recursive: true, force: true });
  return { wallMs, maxRssKiB, exitCode, stdout, stderr };
}

/** Throws with the process output when it failed. */
export function ensureOk(run: ProcessRun, what: string): ProcessRun {
  if (run.exitCode !== 0) {
    throw new Error(`${what} exited with ${run.exitCode}\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
  }
  return run;
}

/** The median of a list of numbers (mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A cursor over the registry's access log: `take()` returns the requests served since the last call. */
export async function accessLogCursor(registry: RunningRegistry): Promise<{ take(): Promise<AccessLogEntry[]> }> {
  let seen = (await readAccessLog(registry)).length;
  return {
    async take() {
      // The registry writes a line after each response; wait until the log stops growing.
      let entries = await readAccessLog(registry);
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const again = await readAccessLog(registry);
        if (again.length === entries.length) break;
        entries = again;
      }
      const fresh = entries.slice(seen);
      seen = entries.length;
      return fresh;
    },
  };
}

/** Request count (auth challenges excluded: the bench registry has no auth) and blob bytes served by `GET`. */
export function summarizeLog(entries: AccessLogEntry[]): { requests: number; blobBytesServed: number; byMethod: Record<string, number> } {
  const byMethod: Record<string, number> = {};
  let blobBytesServed = 0;
  for (const entry of entries) {
    byMethod[entry.method] = (byMethod[entry.method] ?? 0) + 1;
    if (entry.method === 'GET' && /\/blobs\/sha256:/.test(entry.path)) blobBytesServed += entry.bytes;
  }
  return { requests: entries.length, blobBytesServed, byMethod };
}

/**
 * The environment the runner gives an action step: every input as `INPUT_<NAME>` (upper-cased,
 * hyphens kept) with the action.yml defaults (`${{ github.* }}` filled from `github`), then `inputs`.
 */
export async function actionEnv(
  actionYml: string,
  inputs: Record<string, string>,
  github: Record<string, string>,
  outputFile: string,
  summaryFile: string,
): Promise<NodeJS.ProcessEnv> {
  const spec = parse(await readFile(actionYml, 'utf8')) as { inputs?: Record<string, { default?: unknown }> };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? tmpdir(),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: tmpdir(),
  };
  for (const [name, value] of Object.entries(github)) env[`GITHUB_${name.toUpperCase()}`] = value;
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    const fallback = String(input.default ?? '').replace(/\$\{\{\s*github\.(\w+)\s*\}\}/g, (_, key: string) => github[key] ?? '');
    env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? fallback;
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

/** Reads `$GITHUB_OUTPUT` (`name=value` lines and `name<<DELIM` blocks). */
export async function readOutputs(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== block[2]; i++) body.push(lines[i] ?? '');
      outputs[block[1] ?? ''] = body.join('\n');
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

/** A fresh, empty file path in a temp dir. */
export async function tempFile(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tagwright-bench-'));
  const file = join(dir, name);
  await writeFile(file, '');
  return file;
}

/** `12.3 ms`, `1.23 s`. */
export function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}

/** `123 MiB` from KiB. */
export function mib(kib: number): string {
  return Number.isNaN(kib) ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`;
}

/** `0.42×`. */
export function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

/** Prints a markdown table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
