import escapeRegExp from 'escape-string-regexp';
import picomatch from 'picomatch';
import { ConfigurationError } from '../errors.js';
import { parseArtifactTag } from '../grammar/artifact-tag.js';
import { parseRetentionDuration } from './duration.js';
import type {
  RetentionMode,
  CompiledRetentionKeepNewest,
  RetentionPattern,
  CompiledRetentionPolicy,
  RetentionKeepNewest,
  RetentionPolicy,
} from './types.js';

/**
 * The tags protected by default, as regular expressions over the whole tag:
 * `latest`; a release version `X.Y.Z` with or without a leading `v`, with or without a SemVer prerelease
 * (`1.2.3`, `v1.2.3-rc.1`; {@link https://semver.org/#spec-item-9 | SemVer 2.0 §9}); its floating tags
 * `X.Y` and `X` (`1.2`, `v1`). Numbers are matched loosely (leading zeros too): protecting too much is
 * the safe mistake.
 */
export const DEFAULT_RETENTION_PROTECT: readonly string[] = Object.freeze([
  'latest',
  'v?[0-9]+\\.[0-9]+\\.[0-9]+(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?',
  'v?[0-9]+\\.[0-9]+',
  'v?[0-9]+',
]);

/** How many rollback history stamps of each channel tag a scheduled cleanup keeps by default (see {@link RetentionPolicy.historyKeep}). */
export const DEFAULT_ROLLBACK_HISTORY_KEEP = 10;

/** The shortest `olderThan` a scheduled cleanup accepts: one hour, in milliseconds. */
export const MIN_RETENTION_AGE_MS = 3_600_000;

/**
 * Whether a tag is a *channel* tag: one that names no version, commit or date, and so stands for a place a
 * build is promoted to rather than for a build (`prod`, `staging`, `main`, `edge`, `latest`, `stable`,
 * `feature-login`). The rule: not an artifact tag (`sha256-<hex>.sig`, `sha256-<hex>`), no digit anywhere, and
 * no `-`/`_`/`.`-separated part that is 7 to 40 hex letters (an abbreviated commit, e.g. `deadbeef`).
 * `1.2.3`, `sha-1a2b3c4`, `pr-12`, `node20`, `prod-20261122-abc1234` are not channel tags. Pure.
 *
 * A scheduled cleanup never deletes a channel tag unless `only` names it: its build may be old and carry no
 * release tag, and it is the tag deployments pull.
 *
 * @param tag - an image tag.
 * @returns true for a channel tag.
 * @example
 * ```ts
 * isChannelTag('prod'); // true
 * isChannelTag('sha-1a2b3c4'); // false
 * ```
 */
export function isChannelTag(tag: string): boolean {
  if (tag === '' || parseArtifactTag(tag) !== undefined || /[0-9]/.test(tag)) return false;
  return !tag.split(/[-_.]/).some((part) => /^[0-9a-f]{7,40}$/.test(part));
}

/**
 * Whether a tag is a rollback audit tag (`*-rollback-*`, e.g. `prod-rollback-20261122-101500-from-abc1234`,
 * the rollback action's default template `<track>-rollback-{datetime}-from-{sha}`). Pure.
 *
 * @param tag - an image tag.
 * @returns true when the tag has `-rollback-` with something before and after it.
 */
export function isRollbackAuditTag(tag: string): boolean {
  return /^.+-rollback-.+$/.test(tag);
}

/**
 * Refuses a scheduled policy that would delete every build, or builds of any age: a `keep` count of 0, or an
 * `olderThan` under one hour ({@link MIN_RETENTION_AGE_MS}). A deleted branch (`branch-deleted`) and a deleted
 * git tag are not checked: they name what goes.
 *
 * @param policy - the policy as the user wrote it (compile it first for syntax errors).
 * @param mode - the run's mode; only a scheduled run (the default) is checked.
 * @param names - how the message names the inputs; default `keep[i].count` and `olderThan`.
 * @throws {@link ConfigurationError} `INVALID_INPUT` naming the input, the value and what to write instead.
 * @example
 * ```ts
 * checkRetentionSafety({ keep: [{ pattern: 'sha-*', count: 0 }] }); // throws: keep[0].count 0 …
 * ```
 */
export function checkRetentionSafety(
  policy: RetentionPolicy,
  mode: RetentionMode['mode'] = 'scheduled',
  names: { keep?: (i: number) => string; olderThan?: string } = {},
): void {
  if (mode !== undefined && mode !== 'scheduled') return;
  (policy.keep ?? []).forEach((rule, i) => {
    if (rule.count === 0) {
      const name = names.keep?.(i) ?? `keep[${i}].count`;
      throw new ConfigurationError(
        'INVALID_INPUT',
        `parse ${name} 0: keeping none of ${rule.pattern} would delete every build, the current one too; keep at least 1 ` +
          '(e.g. 30), or use mode branch-deleted to remove the tags of a deleted branch',
      );
    }
  });
  if (policy.olderThan !== undefined) {
    const name = names.olderThan ?? 'olderThan';
    const ms = parseRetentionDuration(policy.olderThan, name);
    if (ms < MIN_RETENTION_AGE_MS) {
      throw new ConfigurationError(
        'INVALID_INPUT',
        `parse ${name} ${JSON.stringify(policy.olderThan)}: under one hour would delete builds just pushed (and promotions in flight); ` +
          'give 1h or more (e.g. 30d)',
      );
    }
  }
}

const DEFAULT_LABELS = ['latest', 'release version X.Y.Z', 'minor version X.Y', 'major version X'];

/**
 * Compiles a user's regular expression so that it matches the whole tag: `^(?:pattern)$`.
 *
 * The pattern is first compiled on its own, so that one which would close the group
 * (`a)|(.*`) is refused instead of silently matching every tag.
 *
 * @param pattern - a JavaScript regular expression, without delimiters or flags.
 * @param name - the input's name for the error message, e.g. `protect[2]`.
 * @returns the pattern and its anchored expression.
 * @throws {@link ConfigurationError} `INVALID_INPUT` naming the input and the problem.
 * @example
 * ```ts
 * compileRetentionPattern('sha-[0-9a-f]+', 'only').regex.test('sha-1a2b'); // true
 * ```
 */
export function compileRetentionPattern(pattern: string, name: string): RetentionPattern {
  const fail = (problem: string): never => {
    throw new ConfigurationError('INVALID_INPUT', `parse ${name} ${JSON.stringify(pattern)}: ${problem}`);
  };
  if (typeof pattern !== 'string' || pattern === '') return fail('empty regular expression');
  const cached = regexCache.get(pattern);
  if (cached) return { source: pattern, regex: cached };
  try {
    new RegExp(pattern);
    const regex = new RegExp(`^(?:${pattern})$`);
    remember(regexCache, pattern, regex);
    return { source: pattern, regex };
  } catch (error) {
    return fail(`invalid regular expression: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/*
 * Compiled expressions are remembered by their source (the expressions have no flags, so no state):
 * planning many repositories under one policy compiles each pattern once. Bounded, so that a caller
 * feeding endless distinct patterns cannot grow it without limit.
 */
const CACHE_LIMIT = 256;
const regexCache = new Map<string, RegExp>();
const globCache = new Map<string, RegExp>();

function remember(cache: Map<string, RegExp>, key: string, value: RegExp): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

/**
 * The tag a branch is published as: the branch name without `refs/heads/`, with every run of characters
 * outside `[A-Za-z0-9._-]` replaced by `-`, leading `.` and `-` removed, at most 128 characters
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | tag grammar}).
 *
 * @param branch - a branch name or ref, e.g. `feature/login` or `refs/heads/feature/login`.
 * @returns the tag, e.g. `feature-login`; empty when nothing of the name is left.
 */
export function branchTagOf(branch: string): string {
  return branch
    .replace(/^refs\/heads\//, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}

/**
 * Validates a retention policy and compiles its patterns. Call it where the inputs are read, so that a
 * mistake is reported before anything is deleted; {@link planRetention} calls it too.
 *
 * @param policy - the policy as the user wrote it.
 * @returns the compiled policy.
 * @throws {@link ConfigurationError} `INVALID_INPUT` naming the input (`protect[1]`, `only`, `keep[0].pattern`,
 * `keep[0].count`, `olderThan`, `protectBranches[0]`, `historyKeep`) and what is wrong with it.
 * @example
 * ```ts
 * compileRetentionPolicy({ keep: [{ pattern: 'sha-*', count: 30 }], olderThan: '30d', protectBranches: ['main'] });
 * ```
 */
export function compileRetentionPolicy(policy: RetentionPolicy): CompiledRetentionPolicy {
  const protect: RetentionPattern[] = [];
  if (policy.defaultProtect !== false) {
    DEFAULT_RETENTION_PROTECT.forEach((pattern, i) => {
      protect.push({ ...compileRetentionPattern(pattern, 'default protect pattern'), label: DEFAULT_LABELS[i] ?? pattern });
    });
  }
  (policy.protectBranches ?? []).forEach((branch, i) => {
    const tag = branchTagOf(branch);
    if (tag === '') {
      throw new ConfigurationError(
        'INVALID_INPUT',
        `parse protectBranches[${i}] ${JSON.stringify(branch)}: not a branch name that can be a tag`,
      );
    }
    protect.push({ ...compileRetentionPattern(escapeRegExp(tag), `protectBranches[${i}]`), source: tag, label: `branch ${tag}` });
  });
  (policy.protect ?? []).forEach((pattern, i) => {
    protect.push({ ...compileRetentionPattern(pattern, `protect[${i}]`), label: `pattern ${pattern}` });
  });

  const keep: CompiledRetentionKeepNewest[] = (policy.keep ?? []).map((rule, i) => compileKeepRule(rule, i));

  const historyKeep = policy.historyKeep ?? DEFAULT_ROLLBACK_HISTORY_KEEP;
  if (!Number.isSafeInteger(historyKeep) || historyKeep < 1) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `parse historyKeep ${JSON.stringify(policy.historyKeep)}: expected a whole number of stamps, 1 or more (default ${DEFAULT_ROLLBACK_HISTORY_KEEP})`,
    );
  }
  const compiled: CompiledRetentionPolicy = { protect, keep, deleteUntagged: policy.deleteUntagged === true, historyKeep };
  if (policy.olderThan !== undefined) {
    compiled.olderThan = policy.olderThan;
    compiled.olderThanMs = parseRetentionDuration(policy.olderThan, 'olderThan');
  }
  if (policy.only !== undefined) compiled.only = compileRetentionPattern(policy.only, 'only');
  return compiled;
}

/**
 * Whether a scheduled cleanup may delete a tag at all: false for a tag outside `only`, matching a protect
 * pattern, or (without `only`) a channel tag or a rollback audit tag (those are kept whatever their age). The planner applies the same rule; a caller uses it to skip
 * reading what only a deletable tag needs (e.g. its creation time).
 *
 * @param policy - from {@link compileRetentionPolicy}.
 * @param tag - a tag of the repository.
 * @returns true when the policy's other rules (keep, olderThan) decide the tag.
 * @example
 * ```ts
 * isRetentionCandidate(compileRetentionPolicy({ keep: [{ pattern: 'sha-*', count: 30 }] }), '1.2.3'); // false: protected
 * ```
 */
export function isRetentionCandidate(policy: CompiledRetentionPolicy, tag: string): boolean {
  if (policy.only && !policy.only.regex.test(tag)) return false;
  if (!policy.only && (isChannelTag(tag) || isRollbackAuditTag(tag))) return false;
  return !policy.protect.some((pattern) => pattern.regex.test(tag));
}

function compileKeepRule(rule: RetentionKeepNewest, i: number): CompiledRetentionKeepNewest {
  const { pattern, count } = rule;
  if (typeof pattern !== 'string' || pattern.trim() === '') {
    throw new ConfigurationError('INVALID_INPUT', `parse keep[${i}].pattern ${JSON.stringify(pattern)}: empty glob`);
  }
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `parse keep[${i}].count ${JSON.stringify(count)}: expected a whole number of tags, 0 or more`,
    );
  }
  let re = globCache.get(pattern);
  if (re) return { pattern, count, matches: matcher(re) };
  try {
    re = picomatch.makeRe(pattern, { dot: true });
  } catch (error) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `parse keep[${i}].pattern ${JSON.stringify(pattern)}: invalid glob: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // picomatch answers a pattern it cannot parse with a regex that never matches.
  if (re.source === '$^') {
    throw new ConfigurationError('INVALID_INPUT', `parse keep[${i}].pattern ${JSON.stringify(pattern)}: invalid glob`);
  }
  remember(globCache, pattern, re);
  return { pattern, count, matches: matcher(re) };
}

function matcher(re: RegExp): (tag: string) => boolean {
  return (tag: string) => re.test(tag);
}
