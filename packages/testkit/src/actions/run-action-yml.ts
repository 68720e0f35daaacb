import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { parseOutputFile } from '@tagwright/action-kit/output-file';

/** The workflow context available to `${{ github.* }}` expressions. */
export interface GitHubContextForTest {
  ref?: string;
  sha?: string;
  repository?: string;
  workspace?: string;
  run_id?: string;
  server_url?: string;
  api_url?: string;
  event_name?: string;
  actor?: string;
}

export interface ActionRun {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
}

interface ActionYml {
  name?: string;
  description?: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string; value?: string }>;
  runs?: { using?: string; steps?: Array<{ id?: string; name?: string; shell?: string; run?: string; env?: Record<string, string>; uses?: string }> };
}

/**
 * Runs a composite action the way the GitHub runner does: reads its action.yml, fills inputs
 * (given values or the defaults, with `${{ github.* }}` evaluated), evaluates each step's `env`
 * and `run` expressions, runs the step with `bash --noprofile --norc -eo pipefail`, reads the
 * step's `$GITHUB_OUTPUT` file (both `k=v` and heredoc forms) and maps the action's outputs.
 *
 * Only the expression forms tagwright's actions use are supported (`inputs.x`, `github.x`,
 * `steps.<id>.outputs.<x>`, `runner.temp`); anything else throws, so a typo in an action.yml fails.
 */
export async function runActionYml(
  actionDir: string,
  options: { inputs?: Record<string, string>; github?: GitHubContextForTest; env?: Record<string, string>; cwd?: string; stepSummary?: boolean } = {},
): Promise<ActionRun> {
  const yml = parse(await readFile(path.join(actionDir, 'action.yml'), 'utf8')) as ActionYml;
  if (yml.runs?.using !== 'composite') throw new Error(`${actionDir}/action.yml: runs.using must be composite`);
  const declared = yml.inputs ?? {};
  for (const name of Object.keys(options.inputs ?? {})) {
    if (!(name in declared)) throw new Error(`${actionDir}/action.yml has no input ${JSON.stringify(name)}`);
  }
  const temp = await mkdtemp(path.join(tmpdir(), 'tw-runner-'));
  const workspace = options.cwd ?? options.github?.workspace ?? temp;
  const github: Record<string, string> = {
    ref: 'refs/heads/main',
    sha: '0000000000000000000000000000000000000000',
    repository: 'acme/app',
    workspace,
    run_id: '1',
    server_url: 'https://github.com',
    api_url: 'https://api.github.com',
    event_name: 'push',
    actor: 'octocat',
    action_path: actionDir,
    ...(options.github as Record<string, string> | undefined),
  };
  const contexts = { github, inputs: {} as Record<string, string>, steps: {} as Record<string, { outputs: Record<string, string> }>, runner: { temp } };
  for (const [name, spec] of Object.entries(declared)) {
    if (!spec.description) throw new Error(`${actionDir}/action.yml: input ${name} has no description`);
    const given = options.inputs?.[name];
    contexts.inputs[name] = given ?? evaluate(String(spec.default ?? ''), contexts);
  }
  const summaryFile = path.join(temp, 'step-summary.md');
  await writeFile(summaryFile, '');
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  try {
    for (const [index, step] of (yml.runs.steps ?? []).entries()) {
      if (step.uses) throw new Error('runActionYml does not run `uses:` steps');
      if (step.shell !== 'bash') throw new Error(`step ${index} must declare shell: bash`);
      const outputFile = path.join(temp, `output-${index}`);
      await writeFile(outputFile, '');
      const stepEnv: Record<string, string> = {};
      for (const [key, value] of Object.entries(step.env ?? {})) stepEnv[key] = evaluate(String(value), contexts);
      const scriptFile = path.join(temp, `step-${index}.sh`);
      await writeFile(scriptFile, evaluate(step.run ?? '', contexts));
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? temp,
        ...options.env,
        ...stepEnv,
        GITHUB_ACTION_PATH: actionDir,
        GITHUB_OUTPUT: outputFile,
        // A Forgejo runner may set no step summary (`stepSummary: false`): the action logs it instead.
        GITHUB_STEP_SUMMARY: options.stepSummary === false ? '' : summaryFile,
        GITHUB_WORKSPACE: workspace,
        GITHUB_REF: github.ref ?? '',
        GITHUB_SHA: github.sha ?? '',
        GITHUB_REPOSITORY: github.repository ?? '',
        GITHUB_API_URL: github.api_url ?? '',
        GITHUB_SERVER_URL: github.server_url ?? '',
        GITHUB_RUN_ID: github.run_id ?? '',
        GITHUB_EVENT_NAME: github.event_name ?? '',
        RUNNER_TEMP: temp,
        GITHUB_ACTIONS: 'true',
        CI: 'true',
      };
      const result = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
        execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], { env, cwd: workspace, maxBuffer: 64 * 1024 * 1024 }, (error, out, err) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
        });
      });
      stdout += result.out;
      stderr += result.err;
      if (step.id) contexts.steps[step.id] = { outputs: parseOutputFile(await readFile(outputFile, 'utf8')) };
      if (result.code !== 0) {
        exitCode = result.code;
        break;
      }
    }
    const outputs: Record<string, string> = {};
    for (const [name, spec] of Object.entries(yml.outputs ?? {})) {
      if (!spec.description) throw new Error(`${actionDir}/action.yml: output ${name} has no description`);
      outputs[name] = evaluate(String(spec.value ?? ''), contexts);
    }
    return { exitCode, outputs, summary: await readFile(summaryFile, 'utf8'), stdout, stderr };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

function evaluate(template: string, contexts: Record<string, unknown>): string {
  return template.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    if (!/^(inputs|github|steps|runner)(\.[A-Za-z0-9_-]+)+$/.test(expression)) {
      throw new Error(`unsupported expression \${{ ${expression} }}`);
    }
    let value: unknown = contexts;
    for (const part of expression.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    return value === undefined || value === null ? '' : String(value);
  });
}

