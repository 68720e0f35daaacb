/**
 * Classify a git ref as a tag, a branch or a commit SHA, in full and shallow clones alike, and
 * check it out the way its kind needs (tags and SHAs detached, branches reset to the remote's).
 *
 * Every git call goes through a {@link GitRunner} (argument arrays, never a shell), with
 * `--end-of-options` before each user-supplied ref or remote, and refs validated with
 * `git check-ref-format` before anything else runs.
 *
 * @packageDocumentation
 */
import { stat } from 'node:fs/promises';
import { TagwrightError } from '../errors.js';
import { GitError } from './exec.js';
import type { GitRunner } from './exec.js';
import { isFullCommitSha } from '../grammar/commit-sha.js';

/** What a ref names: a commit by its object name, an annotated or lightweight tag, or a branch. */
export type GitRefKind = 'sha' | 'tag' | 'branch';

/** The answer of {@link classifyRef}. */
export interface GitRefClassification {
  /** `sha`, `tag` or `branch`. */
  kind: GitRefKind;
  /** The full object name (40 hex for SHA-1 repositories, 64 for SHA-256) of the commit the ref names; tags are peeled. */
  commit: string;
  /** The fully qualified ref: `refs/tags/<name>`, `refs/heads/<name>`, or the full commit SHA for `sha`. */
  ref: string;
  /**
   * Where the answer came from: `local` (the clone's own refs and objects) or `remote` (`git ls-remote`
   * of the remote; {@link checkoutRef} then fetches before checking out).
   */
  source: 'local' | 'remote';
  /** Set when a bare name is both a tag and a branch (and `prefer` chose one): the commit of each. */
  ambiguous?: { tag: string; branch: string };
}

/** Options of {@link classifyRef}. */
export interface ClassifyRefOptions {
  /** The remote to ask when the clone is shallow or lacks the ref. Default `origin`. */
  remote?: string;
  /** How to resolve a bare name that is both a tag and a branch. Without it, such a name is an error. */
  prefer?: 'tag' | 'branch';
}

/** Options of {@link checkoutRef}. */
export interface CheckoutRefOptions {
  /** The remote to fetch from. Default `origin`. */
  remote?: string;
}

/** The state of the working tree after {@link checkoutRef}. */
export interface CheckoutRefResult {
  /** The commit HEAD now points at. */
  commit: string;
  /** True for tags and SHAs (detached HEAD), false for branches. */
  detached: boolean;
  /** The branch HEAD is on (`refs/heads/<name>`), when not detached. */
  branch?: string;
  /** True when something was fetched from the remote first. */
  fetched: boolean;
}

/**
 * A ref could not be classified or checked out: it is malformed (`INVALID_REF`), names nothing
 * (`REF_NOT_FOUND`), is both a tag and a branch (`AMBIGUOUS_REF`, with both commits), names a
 * non-commit (`NOT_A_COMMIT`), the remote could not be asked (`REMOTE_FAILED`, git's own text
 * in the message), or the directory does not exist (`NO_WORKING_TREE`).
 */
export class GitRefError extends TagwrightError<
  'INVALID_REF' | 'REF_NOT_FOUND' | 'AMBIGUOUS_REF' | 'NOT_A_COMMIT' | 'REMOTE_FAILED' | 'NO_WORKING_TREE'
> {
  /** The ref exactly as given. */
  readonly ref: string;
  /** For `AMBIGUOUS_REF`: the commit of the tag and of the branch. */
  readonly ambiguous?: { tag: string; branch: string };

  constructor(
    code: GitRefError['code'],
    ref: string,
    reason: string,
    options: { cause?: unknown; ambiguous?: { tag: string; branch: string } } = {},
  ) {
    super(code, `classify ref ${JSON.stringify(ref)}: ${reason}`, { cause: options.cause });
    this.ref = ref;
    if (options.ambiguous) this.ambiguous = options.ambiguous;
  }
}

type RefForm = { form: 'sha'; name: string } | { form: 'tag' | 'branch' | 'bare'; name: string };

const HEX = /^[0-9a-f]+$/i;

/** Splits the ref into its form (pure); the git-side validation follows in {@link validateRef}. */
function refForm(ref: string): RefForm {
  if (ref === '') throw new GitRefError('INVALID_REF', ref, 'the ref is empty');
  if (isFullCommitSha(ref.toLowerCase())) return { form: 'sha', name: ref.toLowerCase() };
  if (ref.startsWith('refs/tags/')) return { form: 'tag', name: ref.slice('refs/tags/'.length) };
  if (ref.startsWith('refs/heads/')) return { form: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/')) {
    throw new GitRefError(
      'INVALID_REF',
      ref,
      'only refs/tags/<name>, refs/heads/<name>, a bare tag or branch name, or a commit SHA are accepted' +
        (ref.startsWith('refs/pull/') ? ' (for a pull request, pass its head branch or github.sha)' : ''),
    );
  }
  return { form: 'bare', name: ref };
}

/** A missing directory would otherwise surface as `spawn git ENOENT`, as if git were missing. */
async function requireDirectory(dir: string, ref: string): Promise<void> {
  const isDirectory = await stat(dir).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (!isDirectory) throw new GitRefError('NO_WORKING_TREE', ref, `${dir} is not a directory`);
}

function git(runner: GitRunner, dir: string, args: readonly string[]) {
  return runner(args, { cwd: dir });
}

async function gitMaybe(runner: GitRunner, dir: string, args: readonly string[]): Promise<string | undefined> {
  const result = await runner(args, { cwd: dir, allowFailure: true });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** `git check-ref-format` on the ref; bare names with git's branch-name rules and its tag rules. */
async function validateRef(runner: GitRunner, dir: string, ref: string, form: RefForm): Promise<void> {
  if (form.form === 'sha') return;
  if (form.name === '') throw new GitRefError('INVALID_REF', ref, 'the name after the refs/ prefix is empty');
  const reject = (detail: string) =>
    new GitRefError('INVALID_REF', ref, `not a valid ${form.form === 'bare' ? 'tag or branch' : form.form} name (${detail})`);
  if (form.form === 'bare') {
    // check-ref-format takes no --end-of-options: a leading '-' is rejected here, and --branch takes the name as its value.
    const branch = await runner(['check-ref-format', '--branch', form.name], { cwd: dir, allowFailure: true });
    if (branch.exitCode !== 0) throw reject(`git check-ref-format --branch: ${branch.stderr.trim() || `exit ${branch.exitCode}`}`);
    // --branch expands @{-N}; the name must stand for itself.
    if (branch.stdout.trim() !== form.name) throw reject(`it expands to ${JSON.stringify(branch.stdout.trim())}`);
  }
  const full = `refs/${form.form === 'branch' ? 'heads' : 'tags'}/${form.name}`;
  const check = await runner(['check-ref-format', full], { cwd: dir, allowFailure: true });
  if (check.exitCode !== 0) throw reject(`git check-ref-format ${full}: ${check.stderr.trim() || 'rejected'}`);
}

/** A remote name: no option-like or blank names; git checks the rest when it is used. */
async function validateRemote(runner: GitRunner, dir: string, ref: string, remote: string): Promise<void> {
  const problem =
    remote === ''
      ? 'is empty'
      : remote.startsWith('-')
        ? 'starts with "-"'
        : (await runner(['check-ref-format', `refs/remotes/${remote}/HEAD`], { cwd: dir, allowFailure: true })).exitCode !== 0
          ? 'is not a valid remote name'
          : undefined;
  if (problem) throw new GitRefError('INVALID_REF', ref, `remote ${JSON.stringify(remote)} ${problem}`);
}

async function isShallow(runner: GitRunner, dir: string): Promise<boolean> {
  return (await git(runner, dir, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
}

async function objectType(runner: GitRunner, dir: string, oid: string): Promise<string | undefined> {
  return gitMaybe(runner, dir, ['cat-file', '-t', '--end-of-options', oid]);
}

async function resolveLocal(runner: GitRunner, dir: string, rev: string): Promise<string | undefined> {
  return gitMaybe(runner, dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', rev]);
}

interface Found {
  /** For tags: the object the tag peels to (not necessarily a commit). */
  oid: string;
  source: 'local' | 'remote';
}

/** What the remote says about refs/tags/<name> and refs/heads/<name>, from one `git ls-remote`. */
async function askRemote(
  runner: GitRunner,
  dir: string,
  ref: string,
  remote: string,
  name: string,
): Promise<{ tag?: Found; branch?: Found }> {
  const tagRef = `refs/tags/${name}`;
  const branchRef = `refs/heads/${name}`;
  let stdout: string;
  try {
    ({ stdout } = await git(runner, dir, ['ls-remote', '--tags', '--heads', '--end-of-options', remote, tagRef, `${tagRef}^{}`, branchRef]));
  } catch (error: unknown) {
    if (!(error instanceof GitError)) throw error;
    throw new GitRefError('REMOTE_FAILED', ref, `ask remote ${remote}: ${error.message}`, { cause: error });
  }
  const refs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [oid, refname] = line.split('\t');
    if (oid && refname) refs.set(refname, oid);
  }
  const tagOid = refs.get(`${tagRef}^{}`) ?? refs.get(tagRef);
  const branchOid = refs.get(branchRef);
  return {
    ...(tagOid ? { tag: { oid: tagOid, source: 'remote' as const } } : {}),
    ...(branchOid ? { branch: { oid: branchOid, source: 'remote' as const } } : {}),
  };
}

/**
 * Fetches the objects of a ref or commit without creating or moving any ref, so that its type
 * can be checked. `--depth=1` in a shallow clone keeps it shallow.
 */
async function fetchObjects(
  runner: GitRunner,
  dir: string,
  ref: string,
  remote: string,
  what: string,
  shallow: boolean,
): Promise<void> {
  try {
    await git(runner, dir, ['fetch', '--no-tags', '--no-write-fetch-head', ...(shallow ? ['--depth=1'] : []), '--end-of-options', remote, what]);
  } catch (error: unknown) {
    if (!(error instanceof GitError)) throw error;
    throw new GitRefError('REMOTE_FAILED', ref, `fetch ${what} from remote ${remote}: ${error.message}`, { cause: error });
  }
}

/** Checks that a peeled tag or a SHA is a commit, fetching its objects when the clone lacks them. */
async function requireCommit(
  runner: GitRunner,
  dir: string,
  ref: string,
  what: { label: string; oid: string; fetch?: { remote: string; refspec: string; shallow: boolean } },
): Promise<void> {
  let type = await objectType(runner, dir, what.oid);
  if (type === undefined && what.fetch) {
    await fetchObjects(runner, dir, ref, what.fetch.remote, what.fetch.refspec, what.fetch.shallow);
    type = await objectType(runner, dir, what.oid);
  }
  if (type === undefined) {
    throw new GitRefError('REF_NOT_FOUND', ref, `${what.label} ${what.oid} is not in the clone at ${dir}`);
  }
  if (type !== 'commit') {
    throw new GitRefError('NOT_A_COMMIT', ref, `${what.label} points at a ${type} (${what.oid}), not a commit`);
  }
}

/**
 * Classifies a ref as a commit SHA, a tag or a branch, and resolves the commit it names.
 *
 * - A full 40- or 64-hex object name is a SHA (it must match the repository's object format).
 * - `refs/tags/<name>` and `refs/heads/<name>` name a tag or a branch; a bare `<name>` may be
 *   either. An abbreviated hex string (4 hex digits up to one less than a full name) is a SHA only
 *   when it resolves to a commit and no tag or branch of that name exists.
 * - Tags are peeled (annotated and lightweight alike); a tag pointing at a tree or a blob is an error.
 * - When the clone is shallow or lacks the ref (for a bare name: lacks the tag or the branch), the
 *   remote is asked with `git ls-remote --tags --heads` before deciding, and its answer wins. When
 *   the remote's tag or SHA is not in the clone, its objects are fetched (no ref is created or moved)
 *   to check that it is a commit.
 * - A bare name that is both a tag and a branch is ambiguous: with `prefer` the preferred kind is
 *   returned with both commits in `ambiguous`; without it, {@link GitRefError} `AMBIGUOUS_REF`.
 *
 * Refs are validated with `git check-ref-format` before any other git call; every git argument is
 * passed as an array element (no shell), so names such as `$(touch x)` or `` `id` `` are either
 * rejected by git or looked up as plain names.
 *
 * Follows git's ref naming rules ({@link https://git-scm.com/docs/git-check-ref-format | git-check-ref-format})
 * and revision syntax ({@link https://git-scm.com/docs/gitrevisions#_specifying_revisions | gitrevisions}).
 *
 * @param runner - runs git (see {@link createGitRunner}).
 * @param dir - the working tree of the clone.
 * @param ref - `refs/tags/<name>`, `refs/heads/<name>`, a bare name, or a commit SHA.
 * @param options - `remote` (default `origin`), `prefer` (`tag` or `branch`) for ambiguous bare names.
 * @returns the kind, the commit, the fully qualified ref and where the answer came from.
 * @throws {@link GitRefError} `INVALID_REF` (malformed ref or remote, before anything else runs),
 *   `NO_WORKING_TREE` (`dir` does not exist), `REF_NOT_FOUND`, `AMBIGUOUS_REF` (naming both commits), `NOT_A_COMMIT`, `REMOTE_FAILED`.
 * @throws {@link GitError} when git itself fails otherwise (e.g. `dir` is not a repository), with git's text.
 *
 * @example
 * ```ts
 * const git = createGitRunner({ env: process.env });
 * const c = await classifyRef(git, '/work/repo', 'v1.2.3');
 * // { kind: 'tag', commit: '3f2a…', ref: 'refs/tags/v1.2.3', source: 'remote' }
 * await checkoutRef(git, '/work/repo', c); // fetches the tag, detaches HEAD at 3f2a…
 * ```
 */
export async function classifyRef(
  runner: GitRunner,
  dir: string,
  ref: string,
  options: ClassifyRefOptions = {},
): Promise<GitRefClassification> {
  const form = refForm(ref);
  await requireDirectory(dir, ref);
  await validateRef(runner, dir, ref, form);
  const remote = options.remote ?? 'origin';
  await validateRemote(runner, dir, ref, remote);
  if (options.prefer !== undefined && options.prefer !== 'tag' && options.prefer !== 'branch') {
    throw new GitRefError('INVALID_REF', ref, `prefer must be tag or branch, not ${JSON.stringify(options.prefer)}`);
  }

  const shallow = await isShallow(runner, dir);
  const remoteConfigured = (await git(runner, dir, ['remote'])).stdout.split('\n').includes(remote);

  if (form.form === 'sha') {
    const format = (await git(runner, dir, ['rev-parse', '--show-object-format'])).stdout.trim();
    const hexLength = format === 'sha256' ? 64 : 40;
    if (form.name.length !== hexLength) {
      throw new GitRefError('INVALID_REF', ref, `a ${form.name.length}-hex object name does not fit this ${format} repository`);
    }
    const local = (await objectType(runner, dir, form.name)) !== undefined;
    await requireCommit(runner, dir, ref, {
      label: 'object',
      oid: form.name,
      ...(remoteConfigured ? { fetch: { remote, refspec: form.name, shallow } } : {}),
    });
    return { kind: 'sha', commit: form.name, ref: form.name, source: local ? 'local' : 'remote' };
  }

  const name = form.name;
  const wantTag = form.form !== 'branch';
  const wantBranch = form.form !== 'tag';
  let tag: Found | undefined;
  let branch: Found | undefined;
  if (wantTag) {
    const oid = await resolveLocal(runner, dir, `refs/tags/${name}^{}`);
    if (oid) tag = { oid, source: 'local' };
  }
  if (wantBranch) {
    const oid =
      (await resolveLocal(runner, dir, `refs/remotes/${remote}/${name}`)) ?? (await resolveLocal(runner, dir, `refs/heads/${name}`));
    if (oid) branch = { oid, source: 'local' };
  }

  const lacksRef = (wantTag && !tag) || (wantBranch && !branch);
  if ((shallow || lacksRef) && remoteConfigured) {
    const answer = await askRemote(runner, dir, ref, remote, name);
    tag = (wantTag && answer.tag) || tag;
    branch = (wantBranch && answer.branch) || branch;
  }

  if (tag) {
    await requireCommit(runner, dir, ref, {
      label: `tag refs/tags/${name}`,
      oid: tag.oid,
      ...(tag.source === 'remote' ? { fetch: { remote, refspec: `refs/tags/${name}`, shallow } } : {}),
    });
  }

  if (tag && branch) {
    const ambiguous = { tag: tag.oid, branch: branch.oid };
    if (!options.prefer) {
      throw new GitRefError(
        'AMBIGUOUS_REF',
        ref,
        `it is both tag refs/tags/${name} (commit ${tag.oid}) and branch refs/heads/${name} (commit ${branch.oid}); ` +
          `pass refs/tags/${name} or refs/heads/${name}, or prefer tag or branch`,
        { ambiguous },
      );
    }
    const chosen = options.prefer === 'tag' ? tag : branch;
    return { kind: options.prefer, commit: chosen.oid, ref: `refs/${options.prefer === 'tag' ? 'tags' : 'heads'}/${name}`, source: chosen.source, ambiguous };
  }
  if (tag) return { kind: 'tag', commit: tag.oid, ref: `refs/tags/${name}`, source: tag.source };
  if (branch) return { kind: 'branch', commit: branch.oid, ref: `refs/heads/${name}`, source: branch.source };

  const format = form.form === 'bare' && HEX.test(name) ? (await git(runner, dir, ['rev-parse', '--show-object-format'])).stdout.trim() : '';
  if (format && name.length >= 4 && name.length < (format === 'sha256' ? 64 : 40)) {
    const result = await runner(['rev-parse', '--verify', '--end-of-options', `${name}^{commit}`], { cwd: dir, allowFailure: true });
    if (result.exitCode === 0) return { kind: 'sha', commit: result.stdout.trim(), ref: result.stdout.trim(), source: 'local' };
    const why = result.stderr.trim().split('\n').filter((line) => !line.startsWith('hint:')).join('; ');
    if (/ambiguous/i.test(why)) throw new GitRefError('AMBIGUOUS_REF', ref, `abbreviated object name: ${why}`);
  }

  const what = form.form === 'tag' ? 'no tag' : form.form === 'branch' ? 'no branch' : 'no tag, branch or commit';
  const where = remoteConfigured ? `the clone at ${dir} or on remote ${remote}` : `the clone at ${dir} (remote ${remote} is not configured)`;
  throw new GitRefError('REF_NOT_FOUND', ref, `${what} named ${JSON.stringify(name)} in ${where}`);
}

/**
 * Checks out a classified ref the way its kind needs:
 *
 * - tag: `git fetch --no-tags <remote> +refs/tags/X:refs/tags/X` (with `--depth=1` in a shallow
 *   clone) when the classification came from the remote or the tag is missing, then
 *   `git switch --detach refs/tags/X` (HEAD detached at the peeled commit);
 * - branch: `git fetch --no-tags <remote> +refs/heads/X:refs/remotes/<remote>/X` when the
 *   classification came from the remote, then `git switch -C X refs/remotes/<remote>/X` (the local
 *   branch is created or reset to the remote's, as `git checkout -B` does);
 * - sha: `git fetch --no-tags <remote> <sha>` when the commit is missing, then `git switch --detach <sha>`.
 *
 * Local changes that conflict make git refuse; its message is surfaced.
 *
 * @param runner - runs git.
 * @param dir - the working tree of the clone.
 * @param classification - the answer of {@link classifyRef}.
 * @param options - `remote` (default `origin`).
 * @returns the commit HEAD now points at (after a fetch a branch or tag may have moved since it was
 *   classified), whether HEAD is detached, and the branch.
 * @throws {@link GitRefError} `INVALID_REF` for a malformed classification, `NOT_A_COMMIT`,
 *   `REMOTE_FAILED` when the fetch fails; {@link GitError} when the checkout itself fails.
 */
export async function checkoutRef(
  runner: GitRunner,
  dir: string,
  classification: GitRefClassification,
  options: CheckoutRefOptions = {},
): Promise<CheckoutRefResult> {
  const remote = options.remote ?? 'origin';
  const ref = classification.ref;
  const form = refForm(ref);
  const expected = { sha: 'sha', tag: 'tag', branch: 'branch' }[classification.kind];
  if (form.form !== expected) {
    throw new GitRefError('INVALID_REF', ref, `a ${classification.kind} classification needs ${classification.kind === 'sha' ? 'a full commit SHA' : `a refs/${classification.kind === 'tag' ? 'tags' : 'heads'}/ ref`}`);
  }
  await requireDirectory(dir, ref);
  await validateRef(runner, dir, ref, form);
  await validateRemote(runner, dir, ref, remote);
  const shallow = await isShallow(runner, dir);
  const depth = shallow ? ['--depth=1'] : [];
  let fetched = false;
  const fetch = async (refspec: string) => {
    try {
      await git(runner, dir, ['fetch', '--no-tags', ...depth, '--end-of-options', remote, refspec]);
      fetched = true;
    } catch (error: unknown) {
      if (!(error instanceof GitError)) throw error;
      throw new GitRefError('REMOTE_FAILED', ref, `fetch ${refspec} from remote ${remote}: ${error.message}`, { cause: error });
    }
  };

  if (classification.kind === 'tag') {
    const tagRef = `refs/tags/${form.name}`;
    if (classification.source === 'remote' || !(await resolveLocal(runner, dir, tagRef))) await fetch(`+${tagRef}:${tagRef}`);
    const peeled = await resolveLocal(runner, dir, `${tagRef}^{}`);
    if (!peeled || (await objectType(runner, dir, peeled)) !== 'commit') {
      throw new GitRefError('NOT_A_COMMIT', ref, `tag ${tagRef} does not point at a commit${peeled ? ` (${peeled})` : ''}`);
    }
    await git(runner, dir, ['switch', '--detach', '--end-of-options', tagRef]);
  } else if (classification.kind === 'branch') {
    const tracking = `refs/remotes/${remote}/${form.name}`;
    if (classification.source === 'remote') await fetch(`+refs/heads/${form.name}:${tracking}`);
    const start = (await resolveLocal(runner, dir, tracking)) ? tracking : `refs/heads/${form.name}`;
    await git(runner, dir, ['switch', '-C', form.name, '--end-of-options', start]);
  } else {
    if ((await objectType(runner, dir, form.name)) !== 'commit') await fetch(form.name);
    if ((await objectType(runner, dir, form.name)) !== 'commit') {
      throw new GitRefError('NOT_A_COMMIT', ref, `object ${form.name} is not a commit`);
    }
    await git(runner, dir, ['switch', '--detach', '--end-of-options', form.name]);
  }

  const commit = (await git(runner, dir, ['rev-parse', '--verify', 'HEAD'])).stdout.trim();
  const branch = await gitMaybe(runner, dir, ['symbolic-ref', '--quiet', 'HEAD']);
  return { commit, detached: branch === undefined, ...(branch ? { branch } : {}), fetched };
}
