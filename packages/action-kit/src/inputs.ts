import * as core from '@actions/core';
import { ConfigurationError, InvalidReferenceError, errorMessage } from '@tagwright/core/errors';
import { parseRetentionDuration } from '@tagwright/core/retention';

// The helpers here are called only from each action's inputs.ts, the one file that reads inputs.

/** An input that may be empty; returns undefined for empty or whitespace-only values. */
export function getOptionalInput(name: string): string | undefined {
  const value = core.getInput(name).trim();
  return value === '' ? undefined : value;
}

/** An input that must be given. @throws ConfigurationError naming the input. */
export function getRequiredInput(name: string): string {
  const value = getOptionalInput(name);
  if (value === undefined) throw new ConfigurationError('MISSING_INPUT', `read input ${name}: it is required and was empty`);
  return value;
}

/** A YAML 1.2 boolean input (`true`/`false`, any case). @throws ConfigurationError on anything else. */
export function getBooleanInput(name: string, fallback: boolean): boolean {
  const value = getOptionalInput(name);
  if (value === undefined) return fallback;
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw new ConfigurationError('INVALID_INPUT', `read input ${name}: ${JSON.stringify(value)} is not a boolean (true or false), e.g. true`);
}

/** A list given as lines and/or commas; blank entries and `#` comment lines dropped. */
export function getListInput(name: string, options: { commas?: boolean } = {}): string[] {
  const raw = core.getInput(name);
  const lines = raw.split(/\r?\n/).filter((line) => !line.trim().startsWith('#'));
  const parts = options.commas === false ? lines : lines.flatMap((line) => line.split(','));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** `key=value` lines. @throws ConfigurationError naming the line without `=`. */
export function getKeyValueInput(name: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of getListInput(name, { commas: false })) {
    const at = line.indexOf('=');
    if (at <= 0) throw new ConfigurationError('INVALID_INPUT', `read input ${name}: line ${JSON.stringify(line)} is not key=value, e.g. main=edge`);
    result[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return result;
}

/** A credential input: masked with core.setSecret before anything else can print it. */
export function getSecretInput(name: string): string | undefined {
  const value = core.getInput(name);
  if (value !== '') core.setSecret(value);
  return getOptionalInput(name);
}

/** One of a fixed set of values. @throws ConfigurationError listing the allowed values. */
export function getChoiceInput<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const value = getOptionalInput(name);
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new ConfigurationError('INVALID_INPUT', `read input ${name}: ${JSON.stringify(value)} is not one of ${choices.join(', ')}, e.g. ${choices[0] ?? fallback}`);
  }
  return value as T;
}

const KIND: Record<InvalidReferenceError['code'], string> = {
  INVALID_TAG: 'tag (OCI tag grammar [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127})',
  INVALID_DIGEST: 'digest (<algorithm>:<hex>, e.g. sha256: and 64 hex digits)',
  INVALID_REPOSITORY: 'image repository ([host[:port]/]path, lowercase, no tag or digest)',
  INVALID_REFERENCE: 'image reference',
};

/**
 * Runs `read` (which parses or validates the value of input `name`) and turns any error into a
 * {@link ConfigurationError} `INVALID_INPUT` that names the input, the value's problem and an example
 * of a valid value: `read input targets: "x y" is not a valid tag (OCI tag grammar …): contains " "; …, e.g. prod`.
 * An error that already names the input is kept as it is.
 *
 * @param name - the input, as in action.yml.
 * @param example - a valid value, shown after `e.g.`.
 * @param read - the parse or check.
 * @returns what `read` returns.
 * @throws ConfigurationError as above.
 */
export function namedInput<T>(name: string, example: string, read: () => T): T {
  try {
    return read();
  } catch (error: unknown) {
    throw inputError(name, example, error);
  }
}

/** The {@link ConfigurationError} of {@link namedInput} for an error thrown while reading input `name`. */
export function inputError(name: string, example: string, error: unknown): ConfigurationError {
  const message = errorMessage(error);
  if (error instanceof ConfigurationError && message.startsWith(`read input ${name}:`)) return error;
  let problem: string;
  if (error instanceof InvalidReferenceError) {
    const quoted = JSON.stringify(error.input);
    const at = message.indexOf(`${quoted}: `);
    const reason = at >= 0 ? message.slice(at + quoted.length + 2) : message;
    problem = `${quoted} is not a valid ${KIND[error.code]}: ${reason}`;
  } else {
    problem = message;
  }
  return new ConfigurationError('INVALID_INPUT', `read input ${name}: ${problem}, e.g. ${example}`, { cause: error });
}

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration input: `90s`, `5m`, `1h`, or an ISO 8601 duration (`PT5M`,
 * {@link https://en.wikipedia.org/wiki/ISO_8601#Durations | ISO 8601}); more than 0 and at most 6 hours
 * (the longest a GitHub-hosted job runs).
 *
 * @param name - the input.
 * @param fallback - the value when the input is empty, e.g. `5m`.
 * @returns milliseconds.
 * @throws ConfigurationError naming the input, the problem and an example.
 */
export function getDurationInput(name: string, fallback: string): number {
  const value = getOptionalInput(name) ?? fallback;
  const fail = (problem: string): never => {
    throw new ConfigurationError('INVALID_INPUT', `read input ${name}: ${JSON.stringify(value)} ${problem}, e.g. 5m`);
  };
  const short = /^(\d{1,6})\s*([smh])$/.exec(value);
  let ms: number;
  if (short) ms = Number(short[1]) * (DURATION_UNITS[short[2] ?? 's'] ?? 1_000);
  else if (/^PT?(?:\d+[WDHMS])+$/i.test(value.replace('T', ''))) ms = namedInput(name, '5m', () => parseRetentionDuration(value, `input ${name}`));
  else return fail('is not a duration (a number with s, m or h, or ISO 8601 like PT5M)');
  if (ms <= 0) return fail('is not more than zero');
  if (ms > 6 * 3_600_000) return fail('is more than 6 hours, the longest a job runs');
  return ms;
}
