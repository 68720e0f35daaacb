import { setFlagsFromString } from 'node:v8';
import * as core from '@actions/core';
import { ConfigurationError, PartialMutationError, errorMessage } from '@tagwright/core/errors';
import { redact } from '@tagwright/core/redact';
import { readWorkflowContext } from './context.js';
import type { WorkflowContext } from './context.js';

/** An output value: strings are written as they are, anything else as JSON. */
export type OutputValue = string | number | boolean | null | object;

/** What an action's `run` returns: outputs, a job summary in Markdown, and warnings to annotate. */
export interface ActionResult {
  outputs: Record<string, OutputValue>;
  summary?: string;
  warnings?: string[];
}

/** Side effects the action may use, provided by {@link runAction}; `run.ts` takes them as deps. */
export interface ActionRuntime {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Marks a value as a secret so that the runner masks it in logs. */
  setSecret(value: string): void;
  now(): Date;
  /**
   * The process environment, read once here and passed down (to git and the Docker config keychain,
   * which need the environment itself); logic never reads process.env.
   */
  env: Readonly<Record<string, string | undefined>>;
  /** The workflow run (ref, sha, run attempt, repository, server and API URLs, workspace), read once from `env`. */
  context: WorkflowContext;
}

/**
 * Runs an action's main function: writes its outputs to `$GITHUB_OUTPUT`, its summary to
 * `$GITHUB_STEP_SUMMARY`, its warnings as annotations, and turns any throw into
 * `core.setFailed` with a redacted message. A failing run writes a summary too ({@link failureSummary}):
 * the error, what was read, and what was written (nothing, or a {@link PartialMutationError}'s exact
 * report, also printed to the log). Without `$GITHUB_STEP_SUMMARY` the summary goes to the log.
 */
export async function runAction(main: (runtime: ActionRuntime) => Promise<ActionResult>): Promise<void> {
  // Node's fetch (undici) compiles its llhttp WebAssembly parser on the first request; V8's
  // optimizing tier for it costs ~29 MiB of peak RSS and ~90 ms in a short-lived action (bench/:
  // compute-tags 82 -> 53 MiB). The baseline tier parses a registry's few small responses just as
  // well. The flag is process-wide, so it is set here, in the action runtime, never in core.
  setFlagsFromString('--liftoff-only');
  // The progress lines are kept: a failing run's summary says what was read before the failure.
  const progress: string[] = [];
  const runtime: ActionRuntime = {
    info: (message) => {
      progress.push(message);
      core.info(redact(message));
    },
    warning: (message) => core.warning(redact(message)),
    debug: (message) => core.debug(redact(message)),
    setSecret: (value) => core.setSecret(value),
    now: () => new Date(),
    env: process.env,
    context: readWorkflowContext(process.env),
  };
  try {
    const result = await main(runtime);
    for (const [name, value] of Object.entries(result.outputs)) {
      core.setOutput(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    for (const warning of result.warnings ?? []) core.warning(redact(warning));
    if (result.summary) await writeSummary(result.summary);
  } catch (error: unknown) {
    if (error instanceof PartialMutationError) {
      core.error(redact(`Partial change report:\n${JSON.stringify(error.report, null, 2)}`));
    }
    const prefix = error instanceof ConfigurationError ? 'Configuration error: ' : '';
    const message = prefix + redact(errorMessage(error));
    // The summary never stops the failure from being reported.
    await writeSummary(failureSummary(error, progress)).catch((summaryError: unknown) => core.warning(redact(`write the step summary: ${errorMessage(summaryError)}`)));
    core.setFailed(message);
  }
}

/**
 * The step summary of a failing run: the error, what was read (the progress lines up to the
 * failure), and what was written: the exact partial report of a {@link PartialMutationError}, else
 * nothing (every other failure happens before the first write, by the use cases' contract).
 *
 * @param error - what the action threw.
 * @param progress - the progress lines logged before the failure, in order.
 * @returns Markdown (not yet redacted; the writer redacts).
 */
export function failureSummary(error: unknown, progress: readonly string[]): string {
  const configuration = error instanceof ConfigurationError;
  const heading = error instanceof PartialMutationError ? 'Failed part way' : configuration ? 'Failed: configuration error' : 'Failed';
  const lines = [`## ${heading}\n`, '```text', errorMessage(error), '```\n'];
  lines.push('### What was read\n');
  if (configuration) lines.push('Nothing: the inputs were refused before any request.\n');
  else if (progress.length === 0) lines.push('Nothing recorded before the failure.\n');
  else lines.push('```text', ...progress, '```\n');
  lines.push('### What was written\n');
  if (error instanceof PartialMutationError) {
    lines.push('The run failed part way. What was and was not changed (re-read from the registry):\n', '```json', JSON.stringify(error.report, null, 2), '```\n');
  } else {
    lines.push('Nothing was changed.\n');
  }
  return lines.join('\n');
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info(redact(markdown));
    return;
  }
  await core.summary.addRaw(redact(markdown), true).write();
}
