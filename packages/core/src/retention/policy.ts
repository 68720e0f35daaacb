import escapeRegExp from 'escape-string-regexp';
import picomatch from 'picomatch';
import { ConfigurationError } from '../errors.js';
import { parseRetentionDuration } from './duration.js';
import type {
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
 * `keep[0].count`, `olderThan`, `protectBranches[0]`) and what is wrong with it.
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

  const compiled: CompiledRetentionPolicy = { protect, keep, deleteUntagged: policy.deleteUntagged === true };
  if (policy.olderThan !== undefined) {
    compiled.olderThan = policy.olderThan;
    compiled.olderThanMs = parseRetentionDuration(policy.olderThan, 'olderThan');
  }
  if (policy.only !== undefined) compiled.only = compileRetentionPattern(policy.only, 'only');
  return compiled;
}

/**
 * Whether a scheduled cleanup may delete a tag at all: false for a tag outside `only` or matching a protect
 * pattern (those are kept whatever its age). The planner applies the same rule; a caller uses it to skip
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
