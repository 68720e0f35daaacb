import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { redact } from '@tagwright/core/redact';
import { parseOutputFile } from '@tagwright/action-kit/output-file';
import { stepEnv } from './action-spec.js';
import type { ActionSpec } from './action-spec.js';
import { withRegistryLogin } from './ci-context.js';
import type { CiContext } from './ci-context.js';
import { lastError, translateLine } from './log.js';

/** What one run of an action bundle gave. */
export interface BundleRun {
  exitCode: number;
  /** The action's outputs, by their action.yml names, in action.yml order. */
  outputs: Record<string, string>;
  /** The job summary (Markdown), empty when the action wrote none. */
  summary: string;
  /** The message of the action's last `::error::`, when it failed. */
  error?: string;
}

/** Variables of the calling environment the bundle must not see (the runner's own files, inputs meant for another step). */
const DROPPED = /^(INPUT_.*|GITHUB_OUTPUT|GITHUB_STEP_SUMMARY|GITHUB_STATE|GITHUB_ENV|GITHUB_PATH|CI_REGISTRY_PASSWORD|CI_JOB_TOKEN)$/;

/**
 * Runs an action's bundle the way the runner runs its composite step: in a child `node` (this
 * process's executable) with the step's `INPUT_*` environment for the given inputs, the CI context
 * as `GITHUB_*` variables, and `$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY` in a temporary directory
 * that is removed afterwards. The bundle's log goes to `log` line by line, workflow commands
 * translated (`::add-mask::` dropped) and credentials redacted.
 */
export async function runBundle(
  spec: ActionSpec,
  actionDir: string,
  inputs: Readonly<Record<string, string>>,
  context: CiContext,
  options: {
    env: Readonly<Record<string, string | undefined>>;
    log: (line: string) => void;
    quiet: boolean;
    debug: boolean;
    /** Keep annotations as workflow commands (inside a GitHub or Forgejo Actions step). */
    workflowCommands: boolean;
  },
): Promise<BundleRun> {
  const temp = await mkdtemp(path.join(tmpdir(), 'tagwright-cli-'));
  try {
    const outputFile = path.join(temp, 'output');
    const summaryFile = path.join(temp, 'summary.md');
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.env)) if (value !== undefined && !DROPPED.test(key)) env[key] = value;
    Object.assign(env, context.env);
    if (context.eventPayload) {
      const eventFile = path.join(temp, 'event.json');
      await writeFile(eventFile, JSON.stringify(context.eventPayload));
      env['GITHUB_EVENT_PATH'] = eventFile;
    }
    if (context.registryLogin) {
      const dockerConfig = await mergedDockerConfig(temp, options.env, context);
      if (dockerConfig !== undefined) env['DOCKER_CONFIG'] = dockerConfig;
    }
    Object.assign(env, stepEnv(spec, inputs), {
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_ACTION_PATH: actionDir,
    });
    let stdout = '';
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(actionDir, 'dist', 'index.mjs')], {
        env,
        cwd: env['GITHUB_WORKSPACE'] && existsSync(env['GITHUB_WORKSPACE']) ? env['GITHUB_WORKSPACE'] : process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        stdout += `${line}\n`;
        const shown = translateLine(line, { quiet: options.quiet, debug: options.debug, workflowCommands: options.workflowCommands });
        if (shown !== undefined) options.log(redact(shown));
      });
      createInterface({ input: child.stderr }).on('line', (line) => options.log(redact(line)));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    const written = parseOutputFile(await readFile(outputFile, 'utf8'));
    const outputs: Record<string, string> = {};
    for (const output of spec.outputs) outputs[output.name] = written[output.stepOutput] ?? '';
    const error = lastError(stdout);
    return { exitCode, outputs, summary: await readFile(summaryFile, 'utf8'), ...(error !== undefined ? { error: redact(error) } : {}) };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * A Docker config directory holding the caller's config.json (`$DOCKER_CONFIG` or
 * `~/.docker/config.json`) plus the CI's registry login, written with mode 0600 in `temp`; undefined
 * when the caller's config is not valid JSON (it is then left as it is, and the action reports it).
 */
async function mergedDockerConfig(temp: string, env: Readonly<Record<string, string | undefined>>, context: CiContext): Promise<string | undefined> {
  const login = context.registryLogin;
  if (!login) return undefined;
  const source = env['DOCKER_CONFIG'] ? path.join(env['DOCKER_CONFIG'], 'config.json') : path.join(env['HOME'] || homedir(), '.docker', 'config.json');
  let config: Record<string, unknown> = {};
  if (existsSync(source)) {
    try {
      const parsed: unknown = JSON.parse(await readFile(source, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
      config = parsed as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  const dir = path.join(temp, 'docker');
  await mkdir(dir, { mode: 0o700 });
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify(withRegistryLogin(config, login)), { mode: 0o600 });
  await chmod(file, 0o600);
  return dir;
}
