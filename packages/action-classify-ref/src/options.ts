import { ConfigurationError } from '@tagwright/core';

/** The validated options of classify-ref, from the action's inputs or the command line. */
export interface Inputs {
  /** The ref as given: `refs/tags/X`, `refs/heads/X`, a bare name, or a commit SHA. */
  ref: string;
  /** The working tree of the clone, relative to the current directory. */
  path: string;
  /** The git remote to ask and fetch from. */
  remote: string;
  /** Whether to check the ref out after classifying it. */
  checkout: boolean;
  /** How to resolve a bare name that is both a tag and a branch; undefined fails on it. */
  prefer?: 'tag' | 'branch';
}

/** The options as read, before validation. */
export interface RawInputs {
  ref?: string;
  path?: string;
  remote?: string;
  checkout: boolean;
  prefer?: string;
}

/**
 * Validates the options before any git runs. The ref's full check (`git check-ref-format`) is
 * the first thing classifyRef does; here only what needs no git: presence, blanks, control
 * characters, option-like values.
 *
 * @param label - how an option is named in messages, e.g. `input ref` or `--ref`.
 * @throws ConfigurationError naming the option and what is wrong.
 */
export function validateInputs(raw: RawInputs, label: (name: keyof RawInputs) => string): Inputs {
  const fail = (name: keyof RawInputs, value: string | undefined, problem: string) =>
    new ConfigurationError('INVALID_INPUT', `read ${label(name)}: ${value === undefined ? 'it' : JSON.stringify(value)} ${problem}`);
  const ref = raw.ref ?? '';
  if (ref === '') throw new ConfigurationError('MISSING_INPUT', `read ${label('ref')}: it is required and was empty`);
  if (/[\s\x00-\x1f\x7f]/.test(ref)) throw fail('ref', ref, 'contains whitespace or control characters, which no git ref may hold');
  if (ref.startsWith('-')) throw fail('ref', ref, 'starts with "-", which no git ref may');
  const remote = raw.remote ?? 'origin';
  if (remote === '' || remote.startsWith('-') || /[\s\x00-\x1f\x7f]/.test(remote)) {
    throw fail('remote', remote, 'is not a git remote name (empty, starting with "-", or holding whitespace)');
  }
  const path = raw.path ?? '.';
  if (path.includes('\0')) throw fail('path', path, 'contains a NUL character');
  let prefer: Inputs['prefer'];
  if (raw.prefer !== undefined && raw.prefer !== '') {
    if (raw.prefer !== 'tag' && raw.prefer !== 'branch') throw fail('prefer', raw.prefer, 'is not one of tag, branch (or empty to fail on an ambiguous name)');
    prefer = raw.prefer;
  }
  return { ref, path, remote, checkout: raw.checkout, ...(prefer ? { prefer } : {}) };
}
