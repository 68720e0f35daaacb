import * as core from '@actions/core';
import { ConfigurationError } from '@tagwright/core/errors';

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
  throw new ConfigurationError('INVALID_INPUT', `read input ${name}: ${JSON.stringify(value)} is not a boolean (true or false)`);
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
    if (at <= 0) throw new ConfigurationError('INVALID_INPUT', `read input ${name}: line ${JSON.stringify(line)} is not key=value`);
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
    throw new ConfigurationError('INVALID_INPUT', `read input ${name}: ${JSON.stringify(value)} is not one of ${choices.join(', ')}`);
  }
  return value as T;
}
