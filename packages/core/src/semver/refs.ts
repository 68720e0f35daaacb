/**
 * Classification of a git ref (as in `GITHUB_REF`) into release, tag, branch, pull request or
 * other. Pure: the caller passes the ref in (a typed {@link RefContext}); nothing here reads
 * `process.env` or `github.context`.
 *
 * @packageDocumentation
 */
import { ConfigurationError } from '../errors.js';
import { versionOfTag } from './version.js';
import type { ReleaseVersion } from './version.js';

/**
 * The workflow context a build runs in, as the caller read it (e.g. from `GITHUB_REF` and
 * `GITHUB_SHA`): the fully qualified ref and the commit it points at.
 */
export interface RefContext {
  /** Fully qualified git ref: `refs/tags/v1.2.3`, `refs/heads/main`, `refs/pull/42/merge`. */
  readonly ref: string;
  /** The commit SHA, hexadecimal (40 characters for SHA-1, 64 for SHA-256 repositories). */
  readonly sha: string;
  /**
   * The event that started the workflow (`GITHUB_EVENT_NAME` and the pull request number from
   * the payload at `GITHUB_EVENT_PATH`), when the caller knows it. Only the pull request events
   * change the classification (see {@link classifyBuild}); without it the ref alone decides.
   */
  readonly event?: WorkflowEvent;
}

/**
 * The workflow event a build runs for, as the caller read it from the runner
 * ({@link https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows | events that trigger workflows}).
 */
export interface WorkflowEvent {
  /** `GITHUB_EVENT_NAME`, e.g. `push`, `pull_request`, `pull_request_target`, `workflow_dispatch`, `schedule`, `release`. */
  readonly name: string;
  /** The pull request number (`pull_request.number` in the payload); required for the pull request events. */
  readonly pullRequestNumber?: number;
}

/**
 * The events whose build is a pull request's, whatever the ref says: with
 * `pull_request_target` the ref is the base branch (`refs/heads/main`), yet the code built is
 * the pull request's.
 */
export const PULL_REQUEST_EVENTS: readonly string[] = ['pull_request', 'pull_request_target'];

/** What kind of ref a build runs for. */
export type RefKind = 'release' | 'tag' | 'branch' | 'pull-request' | 'other';

interface RefClassificationBase {
  /** The ref exactly as given. */
  readonly ref: string;
  readonly kind: RefKind;
  /** The release version; set for `release` only. */
  readonly version?: ReleaseVersion;
  /** The git tag name without `refs/tags/`; set for `release` and `tag`. */
  readonly tagName?: string;
  /** The branch name without `refs/heads/` (may contain `/`); set for `branch`. */
  readonly branch?: string;
  /** The pull request number; set for `pull-request`. */
  readonly prNumber?: number;
}

/** `refs/tags/<tag>` where the tag is a SemVer 2.0 version (with an optional `v` and prefix). */
export interface ReleaseRef extends RefClassificationBase {
  readonly kind: 'release';
  readonly version: ReleaseVersion;
  readonly tagName: string;
}

/** `refs/tags/<tag>` where the tag is not a version (e.g. `nightly`): not a release. */
export interface NonReleaseTagRef extends RefClassificationBase {
  readonly kind: 'tag';
  readonly tagName: string;
}

/** `refs/heads/<branch>`. */
export interface BranchRef extends RefClassificationBase {
  readonly kind: 'branch';
  readonly branch: string;
}

/** `refs/pull/<N>/merge` or `refs/pull/<N>/head`, as GitHub sets them for `pull_request` events. */
export interface PullRequestRef extends RefClassificationBase {
  readonly kind: 'pull-request';
  readonly prNumber: number;
}

/** Any other well-formed ref (`refs/notes/x`, `refs/remotes/origin/main`, a short name). */
export interface OtherRef extends RefClassificationBase {
  readonly kind: 'other';
}

/**
 * The classification of a ref; narrow on `kind`. Every variant also allows reading the optional
 * fields of the others (they are `undefined`), so `c.version?.major` works without narrowing.
 */
export type RefClassification = ReleaseRef | NonReleaseTagRef | BranchRef | PullRequestRef | OtherRef;

/** Options of {@link parseReleaseRef}. */
export interface ParseReleaseRefOptions {
  /**
   * A git tag prefix in front of the version, e.g. `api-` for `refs/tags/api-v1.2.3` in a
   * monorepo. Default `''`: `1.2.3` and `v1.2.3` are releases. A `v` after the prefix is always
   * accepted.
   */
  readonly tagPrefix?: string;
}

/**
 * Classifies a git ref.
 *
 * - `refs/tags/1.2.3`, `refs/tags/v1.2.3`, `refs/tags/1.2.3-rc.1`
 *   ({@link https://semver.org/#spec-item-9 | SemVer §9}), `refs/tags/1.2.3+build.5`
 *   ({@link https://semver.org/#spec-item-10 | §10}) → `release` with its version.
 * - `refs/tags/nightly` (not a version) → `tag`, no version: not an error.
 * - `refs/heads/feature/x` → `branch` `feature/x`.
 * - `refs/pull/42/merge` and `refs/pull/42/head` → `pull-request` 42.
 * - anything else well-formed → `other`.
 *
 * The ref is first checked against git's ref name rules
 * ({@link https://git-scm.com/docs/git-check-ref-format | git check-ref-format}).
 *
 * @param ref - the fully qualified ref, e.g. the value of `GITHUB_REF`.
 * @param options - `tagPrefix`: a prefix in front of the version in release tags.
 * @returns the classification.
 * @throws {@link ConfigurationError} (`INVALID_INPUT`) when the ref is malformed: empty, with a
 *   space or control character, `..`, `@{`, `~^:?*[\`, an empty path component, a component
 *   starting with `.` or ending with `.lock`; the message names the ref and the problem.
 * @example
 * ```ts
 * const c = parseReleaseRef('refs/tags/v1.2.3');
 * if (c.kind === 'release') console.log(c.version.version); // '1.2.3'
 * ```
 */
export function parseReleaseRef(ref: string, options: ParseReleaseRefOptions = {}): RefClassification {
  const problem = refFormatProblem(ref);
  if (problem !== undefined) {
    throw new ConfigurationError('INVALID_INPUT', `parse ref ${JSON.stringify(ref)}: ${problem}`);
  }
  const tagPrefix = options.tagPrefix ?? '';

  if (ref.startsWith('refs/tags/')) {
    const tagName = ref.slice('refs/tags/'.length);
    const version = versionOfTag(tagName, tagPrefix);
    if (version) return { ref, kind: 'release', tagName, version };
    return { ref, kind: 'tag', tagName };
  }
  if (ref.startsWith('refs/heads/')) {
    return { ref, kind: 'branch', branch: ref.slice('refs/heads/'.length) };
  }
  const pull = /^refs\/pull\/([1-9][0-9]*)\/(?:merge|head)$/.exec(ref);
  if (pull?.[1] !== undefined) {
    const prNumber = Number(pull[1]);
    if (Number.isSafeInteger(prNumber)) return { ref, kind: 'pull-request', prNumber };
  }
  return { ref, kind: 'other' };
}

/**
 * Returns why `ref` is not a well-formed git ref name, or `undefined` when it is
 * (the rules of {@link https://git-scm.com/docs/git-check-ref-format | git check-ref-format}).
 */
function refFormatProblem(ref: string): string | undefined {
  if (ref === '') return 'is empty';
  if (/[\u0000-\u001f\u007f]/.test(ref)) return 'contains a control character';
  if (/\s/.test(ref)) return 'contains whitespace';
  if (ref.includes('..')) return 'contains ".."';
  if (ref.includes('@{')) return 'contains "@{"';
  if (ref === '@') return 'is "@"';
  const bad = /[~^:?*[\\]/.exec(ref);
  if (bad) return `contains ${JSON.stringify(bad[0])}, which git does not allow in a ref`;
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) return 'has an empty path component';
  if (ref.endsWith('.')) return 'ends with "."';
  for (const component of ref.split('/')) {
    if (component.startsWith('.')) return `has a path component starting with ".": ${JSON.stringify(component)}`;
    if (component.endsWith('.lock')) return `has a path component ending with ".lock": ${JSON.stringify(component)}`;
  }
  return undefined;
}

/**
 * Classifies the build of a workflow run: the ref as {@link parseReleaseRef} reads it, except
 * that a `pull_request` or `pull_request_target` event makes it a `pull-request` build of the
 * event's pull request, whatever the ref is. With `pull_request_target` GitHub sets the ref to
 * the base branch (`refs/heads/main`), so the ref alone would give a pull request's build the
 * base branch's tags. `push` (branch or tag), `workflow_dispatch`, `schedule` and `release`
 * builds are classified by their ref. Pure.
 *
 * @param context - the ref, the commit and (optionally) the event.
 * @param options - as for {@link parseReleaseRef}.
 * @returns the classification.
 * @throws {@link ConfigurationError} (`INVALID_INPUT`) for a malformed ref, or a pull request
 *   event without a positive pull request number.
 * @example
 * ```ts
 * classifyBuild({ ref: 'refs/heads/main', sha, event: { name: 'pull_request_target', pullRequestNumber: 7 } });
 * // { ref: 'refs/heads/main', kind: 'pull-request', prNumber: 7 }
 * ```
 */
export function classifyBuild(context: RefContext, options: ParseReleaseRefOptions = {}): RefClassification {
  const classification = parseReleaseRef(context.ref, options);
  const event = context.event;
  if (event === undefined || !PULL_REQUEST_EVENTS.includes(event.name)) return classification;
  const prNumber = event.pullRequestNumber;
  if (prNumber === undefined || !Number.isSafeInteger(prNumber) || prNumber < 1) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `classify the ${event.name} build of ${JSON.stringify(context.ref)}: the event carries no pull request number (${JSON.stringify(prNumber ?? null)})`,
    );
  }
  return { ref: context.ref, kind: 'pull-request', prNumber };
}
