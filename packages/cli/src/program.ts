import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { redact, registerSecret } from '@tagwright/core/redact';
import { ACTIONS, parseActionYml } from './action-spec.js';
import type { ActionSpec, InputSpec } from './action-spec.js';
import { readCiContext } from './ci-context.js';
import type { CiContext } from './ci-context.js';
import { runBundle } from './run-bundle.js';

/** Exit codes of the command (README, `--help`). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Inputs whose values are credentials: never printed, registered for redaction. */
const SECRET_INPUTS = new Set(['password', 'github-token']);

/** Where each `${{ github.<field> }}` default is read from, for `--help` (names of variables, never values). */
const CONTEXT_SOURCES: Record<string, string> = {
  ref: 'the CI ref: GITHUB_REF; on GitLab CI_COMMIT_TAG (refs/tags/…), CI_MERGE_REQUEST_IID, CI_COMMIT_BRANCH or CI_COMMIT_REF_NAME (refs/heads/…)',
  sha: 'the CI commit: GITHUB_SHA, or CI_COMMIT_SHA on GitLab',
  run_attempt: 'GITHUB_RUN_ATTEMPT (1 when absent, as on GitLab and Forgejo)',
};

const COMMON_OPTIONS = ['summary-file', 'quiet'];

const EXIT_HELP = `
Output: the action's outputs as one JSON object on stdout (names as in action.yml, values as the
action gives them: strings; JSON outputs are JSON text). Progress, warnings and errors go to stderr;
the job summary (Markdown) to --summary-file, else to stderr.

Exit codes: 0 the job succeeded; 1 the job failed or refused (the message says why, and what was
and was not changed); 2 usage error (unknown subcommand or flag, a flag without its value, a required
flag missing, no ref or commit in the CI context); nothing ran.
`;

class UsageError extends Error {}

/** Why this Node.js cannot run the bundles (built for node20), or undefined when it can. */
export function nodeProblem(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? 0);
  return major >= 20 ? undefined : `tagwright needs Node.js 20 or later, found ${version}: install Node.js 20+ (e.g. the node:20 image) and run it again`;
}

/** Where the action's action.yml and bundle (`dist/index.mjs`) are: shipped beside the command, else the workspace's package. */
export function actionDir(name: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'actions', name), path.resolve(here, '..', '..', `action-${name}`)];
  return candidates.find((dir) => existsSync(path.join(dir, 'action.yml'))) ?? candidates[0]!;
}

/** The action.yml of every subcommand. */
export function loadSpecs(): ActionSpec[] {
  return ACTIONS.map((name) => parseActionYml(name, readFileSync(path.join(actionDir(name), 'action.yml'), 'utf8')));
}

function helpText(input: InputSpec): string {
  const parts = [input.description];
  if (input.required) parts.push('(required)');
  if (input.contextDefault !== undefined) parts.push(`(default: ${CONTEXT_SOURCES[input.contextDefault] ?? `github.${input.contextDefault}`})`);
  else if (input.default !== '') parts.push(`(default: ${input.default})`);
  return parts.join(' ');
}

/** The command line: one subcommand per action, its flags generated from the action.yml inputs. */
export function buildProgram(
  specs: ActionSpec[],
  io: { out: (text: string) => void; err: (text: string) => void; run: (spec: ActionSpec, values: Record<string, unknown>) => Promise<number> },
  version: string,
): Command {
  const program = new Command('tagwright')
    .description('tagwright for any CI: the tagwright actions as subcommands, reading the CI context of GitHub Actions, Forgejo Actions or GitLab CI.')
    .version(version)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText('after', EXIT_HELP);
  for (const spec of specs) {
    const command = program.command(spec.name).description(spec.description).addHelpText('after', outputsHelp(spec) + EXIT_HELP);
    for (const input of spec.inputs) {
      if (COMMON_OPTIONS.includes(input.name)) throw new Error(`${spec.name}/action.yml: input ${input.name} clashes with a command option`);
      if (input.boolean) {
        command.addOption(new Option(`--${input.name} [true|false]`, helpText(input)));
        command.addOption(new Option(`--no-${input.name}`, `Sets ${input.name} to false.`));
      } else {
        const option = new Option(`--${input.name} <value>`, helpText(input)).argParser((value: string, previous: unknown) =>
          typeof previous === 'string' ? `${previous}\n${value}` : value,
        );
        command.addOption(option);
      }
    }
    command.addOption(new Option('--summary-file <path>', 'Write the job summary (Markdown) to this file instead of stderr.'));
    command.addOption(new Option('--quiet', 'Only warnings and errors on stderr, no progress.'));
    command.action(async (values: Record<string, unknown>) => {
      await io.run(spec, values);
    });
  }
  return program;
}

function outputsHelp(spec: ActionSpec): string {
  const width = Math.max(...spec.outputs.map((output) => output.name.length));
  return `\nOutputs (keys of the JSON object on stdout):\n${spec.outputs.map((output) => `  ${output.name.padEnd(width)}  ${output.description}`).join('\n')}\n`;
}

/** The flag values as action inputs: given flags, else the CI context for `${{ github.* }}` defaults, else the action.yml default. */
export function resolveInputs(spec: ActionSpec, values: Record<string, unknown>, context: CiContext): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const input of spec.inputs) {
    const key = camel(input.name);
    const given = values[key];
    let value: string;
    if (given === true) value = 'true';
    else if (given === false) value = 'false';
    else if (typeof given === 'string') value = given;
    else if (input.contextDefault !== undefined) {
      value = context.github[input.contextDefault] ?? '';
      if (value === '' && (input.contextDefault === 'ref' || input.contextDefault === 'sha')) {
        throw new UsageError(`tagwright ${spec.name}: --${input.name} is not given and the CI context has none (${CONTEXT_SOURCES[input.contextDefault]})`);
      }
    } else value = input.default;
    if (input.required && value.trim() === '') throw new UsageError(`tagwright ${spec.name}: missing required flag --${input.name} (${input.description})`);
    inputs[input.name] = value;
  }
  return inputs;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** Replaces the value of `--flag=value` in a message about a bad command line (it may be a password). */
function hideFlagValues(message: string): string {
  return message.replace(/(--[A-Za-z0-9-]+)=[^'"\s]*/g, '$1=…');
}

/**
 * Runs the command line: parses `argv` (without node and the script), runs the subcommand's action
 * bundle, prints its outputs as JSON on stdout, and returns the exit code ({@link EXIT}).
 */
export async function main(
  argv: string[],
  env: Readonly<Record<string, string | undefined>>,
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
  version: string,
): Promise<number> {
  const problem = nodeProblem(process.version);
  if (problem !== undefined) {
    io.stderr(`${problem}\n`);
    return EXIT.failed;
  }
  const context = readCiContext(env);
  registerSecret(context.registryLogin?.password);
  registerSecret(env['CI_JOB_TOKEN']);
  let exitCode: number = EXIT.ok;
  const run = async (spec: ActionSpec, values: Record<string, unknown>): Promise<number> => {
    for (const name of SECRET_INPUTS) {
      const value = values[camel(name)];
      if (typeof value === 'string') registerSecret(value);
    }
    const inputs = resolveInputs(spec, values, context);
    const result = await runBundle(spec, actionDir(spec.name), inputs, context, {
      env,
      log: (line) => io.stderr(`${line}\n`),
      quiet: values['quiet'] === true,
      debug: env['RUNNER_DEBUG'] === '1',
      workflowCommands: env['GITHUB_ACTIONS'] === 'true',
    });
    if (result.summary.trim() !== '') {
      const summaryFile = values['summaryFile'];
      if (typeof summaryFile === 'string') await writeFile(summaryFile, redact(result.summary));
      else io.stderr(`${redact(result.summary).trimEnd()}\n`);
    }
    if (result.exitCode !== 0) {
      io.stderr(`tagwright ${spec.name}: failed${result.error !== undefined ? `: ${result.error}` : ` (the action exited with ${result.exitCode})`}\n`);
      return EXIT.failed;
    }
    io.stdout(`${redact(JSON.stringify(result.outputs))}\n`);
    return EXIT.ok;
  };
  const program = buildProgram(
    loadSpecs(),
    {
      out: io.stdout,
      err: (text) => io.stderr(redact(hideFlagValues(text))),
      run: async (spec, values) => {
        exitCode = await run(spec, values);
        return exitCode;
      },
    },
    version,
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      // Commander has printed its message (e.g. "error: unknown option '--imagez'"), or the help
      // when no subcommand was given.
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`${redact(error.message)}\nSee: tagwright ${argv[0] ?? ''} --help\n`);
      return EXIT.usage;
    }
    io.stderr(`tagwright: ${redact(error instanceof Error ? error.message : String(error))}\n`);
    return EXIT.failed;
  }
}
