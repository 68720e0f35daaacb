/**
 * Stamp tags: a tag rendered from a template such as `prod-{date}-{sha}` that records when and
 * from which commit an image was built, and the inverse, reading the time back out of a tag so
 * that history is ordered by build time and not by the registry's (unsorted) tag list.
 *
 * Pure: the clock is passed in as `now`.
 *
 * @packageDocumentation
 */
import escapeRegExp from 'escape-string-regexp';
import { ConfigurationError } from '../errors.js';
import { isOciTag } from './tag-grammar.js';
import { isAbbreviatedCommitSha } from '../grammar/commit-sha.js';

/** The placeholders a stamp template may use. */
export type StampPlaceholder = 'date' | 'datetime' | 'sha' | 'version';

const PLACEHOLDERS: readonly StampPlaceholder[] = ['date', 'datetime', 'sha', 'version'];

/** The values a stamp is rendered from. */
export interface StampContext {
  /** The build time; rendered in UTC. */
  readonly now: Date;
  /** The commit SHA (hexadecimal, at least 7 characters); `{sha}` renders its first 7, lower case. */
  readonly sha: string;
  /**
   * The release version as written in image tags (`+` already mapped to `-`, no prefix), for
   * `{version}`. Only needed when the template uses `{version}`.
   */
  readonly version?: string;
}

/** What {@link validateStampTemplate} learned about a template. */
export interface StampTemplateInfo {
  /** The template as given. */
  readonly template: string;
  /** The placeholders it uses, in order of first use. */
  readonly placeholders: readonly StampPlaceholder[];
  /** True when it records a time (`{date}` or `{datetime}`), so that {@link parseStamp} can order by it. */
  readonly hasTime: boolean;
}

/** The values read back out of a stamp tag by {@link parseStamp}. */
export interface ParsedStamp {
  /** The build time (UTC); midnight UTC for a `{date}` stamp. */
  readonly date: Date;
  /** The 7-hex commit SHA, when the template has `{sha}`. */
  readonly sha?: string;
  /** The version, when the template has `{version}`. */
  readonly version?: string;
}

type Token = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'placeholder'; readonly name: StampPlaceholder };

/** Rendered widths of the fixed-width placeholders; `{version}` counts as its shortest (`0.0.0`). */
const MIN_WIDTH: Record<StampPlaceholder, number> = { date: 8, datetime: 15, sha: 7, version: 5 };

function templateError(template: string, problem: string): ConfigurationError {
  return new ConfigurationError('INVALID_INPUT', `parse stamp template ${JSON.stringify(template)}: ${problem}`);
}

function tokenize(template: string): Token[] {
  if (template === '') throw templateError(template, 'is empty');
  const tokens: Token[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const ch = template.charAt(i);
    if (ch === '}') throw templateError(template, `unbalanced braces: "}" at position ${i} has no opening "{"`);
    if (ch !== '{') {
      literal += ch;
      i += 1;
      continue;
    }
    const close = template.indexOf('}', i + 1);
    const nextOpen = template.indexOf('{', i + 1);
    if (close === -1 || (nextOpen !== -1 && nextOpen < close)) {
      throw templateError(template, `unbalanced braces: "{" at position ${i} is not closed`);
    }
    const name = template.slice(i + 1, close);
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw templateError(
        template,
        `unknown placeholder {${name}}; known placeholders: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      );
    }
    if (literal !== '') tokens.push({ kind: 'literal', text: literal });
    literal = '';
    tokens.push({ kind: 'placeholder', name: name as StampPlaceholder });
    i = close + 1;
  }
  if (literal !== '') tokens.push({ kind: 'literal', text: literal });

  const bad = /[^a-zA-Z0-9._-]/.exec(tokens.map((t) => (t.kind === 'literal' ? t.text : '0')).join(''));
  if (bad) {
    throw templateError(
      template,
      `the result would be outside the OCI tag grammar [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}: ${JSON.stringify(bad[0])} is not allowed`,
    );
  }
  const first = tokens[0];
  if (first?.kind === 'literal' && !/^[a-zA-Z0-9_]/.test(first.text)) {
    throw templateError(
      template,
      `the result would be outside the OCI tag grammar [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}: a tag cannot start with ${JSON.stringify(first.text.charAt(0))}`,
    );
  }
  const minLength = tokens.reduce((n, t) => n + (t.kind === 'literal' ? t.text.length : MIN_WIDTH[t.name]), 0);
  if (minLength > 128) {
    throw templateError(template, `the result would be at least ${minLength} characters; an OCI tag has at most 128`);
  }
  return tokens;
}

/**
 * Checks a stamp template up front, before anything is written anywhere.
 *
 * Placeholders: `{date}` (UTC `YYYYMMDD`), `{datetime}` (UTC `YYYYMMDD-HHMMSS`), `{sha}` (the
 * first 7 hex digits of the commit), `{version}` (the release version as written in image tags).
 * Everything else is literal text, which must keep the result inside the
 * {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI tag grammar}
 * `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. Braces cannot be escaped (the grammar has no braces).
 *
 * @param template - e.g. `prod-{date}-{sha}`.
 * @returns the placeholders it uses and whether it records a time.
 * @throws {@link ConfigurationError} (`INVALID_INPUT`) naming the template and the problem: empty,
 *   unknown placeholder, unbalanced braces, a character or a length outside the OCI tag grammar.
 * @example
 * ```ts
 * validateStampTemplate('prod-{datetime}-{sha}').hasTime; // true
 * validateStampTemplate('prod-{when}'); // throws: unknown placeholder {when}
 * ```
 */
export function validateStampTemplate(template: string): StampTemplateInfo {
  const tokens = tokenize(template);
  const placeholders: StampPlaceholder[] = [];
  for (const t of tokens) {
    if (t.kind === 'placeholder' && !placeholders.includes(t.name)) placeholders.push(t.name);
  }
  return {
    template,
    placeholders,
    hasTime: placeholders.includes('date') || placeholders.includes('datetime'),
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function utcDate(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
}

function utcDateTime(d: Date): string {
  return `${utcDate(d)}-${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}`;
}

/**
 * Renders a stamp template into an image tag.
 *
 * @param template - e.g. `prod-{date}-{sha}`; see {@link validateStampTemplate} for the placeholders.
 * @param context - `now` (rendered in UTC), `sha` (hex, at least 7 characters), optional `version`.
 * @returns the tag, e.g. `prod-20261122-abc1234`, within the
 *   {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI tag grammar}.
 * @throws {@link ConfigurationError} (`INVALID_INPUT`) when the template is invalid, when `now` is
 *   not a valid date, `sha` is not hex (when `{sha}` is used), `{version}` is used without a
 *   version, or the result falls outside the OCI tag grammar.
 * @example
 * ```ts
 * renderStamp('prod-{datetime}-{sha}', { now: new Date('2026-11-22T10:15:00Z'), sha: 'abc1234def' });
 * // 'prod-20261122-101500-abc1234'
 * ```
 */
export function renderStamp(template: string, context: StampContext): string {
  const tokens = tokenize(template);
  const renderError = (problem: string): ConfigurationError =>
    new ConfigurationError('INVALID_INPUT', `render stamp template ${JSON.stringify(template)}: ${problem}`);
  const uses = (name: StampPlaceholder): boolean => tokens.some((t) => t.kind === 'placeholder' && t.name === name);

  if ((uses('date') || uses('datetime')) && Number.isNaN(context.now.getTime())) {
    throw renderError('the build time is not a valid date');
  }
  if (uses('sha') && !isAbbreviatedCommitSha(context.sha.toLowerCase())) {
    throw renderError(`the commit SHA ${JSON.stringify(context.sha)} is not 7 to 64 hexadecimal digits`);
  }
  if (uses('version') && (context.version === undefined || context.version === '')) {
    throw renderError('{version} is used but this build has no release version');
  }

  const values: Record<StampPlaceholder, () => string> = {
    date: () => utcDate(context.now),
    datetime: () => utcDateTime(context.now),
    sha: () => context.sha.slice(0, 7).toLowerCase(),
    version: () => (context.version ?? '').replaceAll('+', '-'),
  };
  const tag = tokens.map((t) => (t.kind === 'literal' ? t.text : values[t.name]())).join('');
  if (!isOciTag(tag)) {
    throw renderError(
      `the result ${JSON.stringify(tag)} is outside the OCI tag grammar [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`,
    );
  }
  return tag;
}

const PATTERN: Record<StampPlaceholder, string> = {
  date: '([0-9]{8})',
  datetime: '([0-9]{8}-[0-9]{6})',
  sha: '([0-9a-f]{7})',
  version: '([0-9A-Za-z][0-9A-Za-z.-]*?)',
};

function readUtc(text: string): Date | undefined {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})(?:-([0-9]{2})([0-9]{2})([0-9]{2}))?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  date.setUTCFullYear(y); // Date.UTC maps years 0-99 to 1900-1999
  const same =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return same ? date : undefined;
}

/**
 * Reads a stamp tag back with the template it was rendered from: the inverse of
 * {@link renderStamp}. Used by rollback to order history tags by the time in their stamp rather
 * than by the registry's tag order. Both `prod-{date}-{sha}` (`prod-20261122-abc1234`) and
 * `prod-{datetime}-{sha}` (`prod-20261122-101500-abc1234`) styles are read; a tag of the other
 * style does not match.
 *
 * @param tag - an image tag, e.g. `prod-20261122-101500-abc1234`.
 * @param template - the stamp template, e.g. `prod-{datetime}-{sha}`.
 * @returns the build time (UTC; midnight for `{date}`), the 7-hex SHA and the version when the
 *   template has them; `undefined` when the tag does not match the template, names an impossible
 *   date (`20261340`), or the template records no time.
 * @throws {@link ConfigurationError} when the template itself is invalid.
 * @example
 * ```ts
 * parseStamp('prod-20261122-abc1234', 'prod-{date}-{sha}');
 * // { date: 2026-11-22T00:00:00.000Z, sha: 'abc1234' }
 * ```
 */
export function parseStamp(tag: string, template: string): ParsedStamp | undefined {
  const tokens = tokenize(template);
  const names: StampPlaceholder[] = [];
  const source = tokens
    .map((t) => {
      if (t.kind === 'literal') return escapeRegExp(t.text);
      names.push(t.name);
      return PATTERN[t.name];
    })
    .join('');
  const match = new RegExp(`^${source}$`).exec(tag);
  if (!match) return undefined;

  const values = new Map<StampPlaceholder, string>();
  for (const [index, name] of names.entries()) {
    const value = match[index + 1] ?? '';
    const seen = values.get(name);
    if (seen !== undefined && seen !== value) return undefined; // the same placeholder twice, differently
    values.set(name, value);
  }
  const datetime = values.get('datetime');
  const day = values.get('date');
  let date: Date | undefined;
  if (datetime !== undefined) {
    date = readUtc(datetime);
    if (date && day !== undefined && day !== datetime.slice(0, 8)) return undefined;
  } else if (day !== undefined) {
    date = readUtc(day);
  }
  if (!date) return undefined;

  const sha = values.get('sha');
  const version = values.get('version');
  return {
    date,
    ...(sha !== undefined ? { sha } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}
