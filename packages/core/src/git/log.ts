import { pullRequestNumberOf, type CommitInfo } from '../changelog/notes.js';
import { ConfigurationError } from '../errors.js';
import { GitError, type GitRunner } from './exec.js';
import { isFullCommitSha, isRepositoryPath } from '../grammar/index.js';

/**
 * The fields of one commit, NUL-separated; `-z` ends each record with NUL too. Commit messages
 * cannot carry NUL, so splitting on NUL and reading fixed groups of fields is unambiguous.
 */
const FIELDS = ['%H', '%P', '%an', '%ae', '%aI', '%s', '%b'] as const;
const FORMAT = `--format=${FIELDS.join('%x00')}`;

/**
 * Checks a user-supplied revision before git sees it: non-empty, no leading `-`, no control
 * characters, no whitespace. `--end-of-options` guards git too; this gives a clear message.
 */
function checkRevision(revision: string, what: string): void {
  if (revision === '' || revision.startsWith('-') || /[\s\x00-\x1f\x7f]/.test(revision) || revision.includes('..')) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read the commit range: ${what} ${JSON.stringify(revision)} is not a valid git revision`,
    );
  }
}

/**
 * Resolves a revision (branch, tag — annotated tags are peeled — or object name) to a commit.
 *
 * @param runner - a {@link GitRunner}.
 * @param dir - the repository's working directory.
 * @param revision - the revision as the user gave it.
 * @returns the full commit object name.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when the revision is malformed;
 *   `UNKNOWN_REVISION` when it does not name a commit in `dir`.
 */
export async function resolveCommit(runner: GitRunner, dir: string, revision: string): Promise<string> {
  checkRevision(revision, 'revision');
  const result = await runner(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], {
    cwd: dir,
    allowFailure: true,
  });
  const sha = result.stdout.trim();
  if (result.exitCode !== 0 || !isFullCommitSha(sha)) {
    throw new ConfigurationError(
      'UNKNOWN_REVISION',
      `resolve revision ${JSON.stringify(revision)} in ${dir}: it does not name a commit${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`,
    );
  }
  return sha;
}

/**
 * Lists the commits reachable from `to` and not from `from` (`git log from..to`), as data.
 * Runs `git log` with an argument array, `--end-of-options` before the revisions, and a
 * NUL-separated format ({@link https://git-scm.com/docs/git-log#_pretty_formats | git log, pretty formats}).
 *
 * @param runner - a {@link GitRunner} (e.g. from `createGitRunner()`).
 * @param dir - the repository's working directory.
 * @param from - the previous release (tag, branch or object name); `undefined` for a first
 *   release: every commit reachable from `to`.
 * @param to - the revision being released.
 * @returns newest first (git log order), merge commits included (`parents.length > 1`);
 *   `prNumber` is set from a squash-merge subject `… (#123)` or a "Merge pull request #123" subject.
 * @throws {@link ConfigurationError} when a revision is malformed or unknown (before `git log` runs).
 * @throws {@link GitError} when git fails.
 * @example
 * ```ts
 * const commits = await commitRange(createGitRunner(), process.cwd(), 'v1.2.0', 'v1.3.0');
 * ```
 */
export async function commitRange(
  runner: GitRunner,
  dir: string,
  from: string | undefined,
  to: string,
): Promise<CommitInfo[]> {
  checkRevision(to, '"to" revision');
  if (from !== undefined) checkRevision(from, '"from" revision');
  const toSha = await resolveCommit(runner, dir, to);
  const fromSha = from === undefined ? undefined : await resolveCommit(runner, dir, from);
  const args = ['log', FORMAT, '-z', '--end-of-options', toSha, ...(fromSha ? [`^${fromSha}`] : []), '--'];
  const { stdout } = await runner(args, { cwd: dir });
  return parseLog(stdout, args);
}

function parseLog(stdout: string, args: readonly string[]): CommitInfo[] {
  if (stdout === '') return [];
  const fields = stdout.split('\0');
  // `-z` terminates the last record with NUL: a trailing empty field.
  if (fields.at(-1) === '') fields.pop();
  if (fields.length % FIELDS.length !== 0) {
    throw new GitError(args, 0, `unexpected git log output: ${fields.length} fields is not a multiple of ${FIELDS.length}`);
  }
  const commits: CommitInfo[] = [];
  for (let i = 0; i < fields.length; i += FIELDS.length) {
    const [sha, parents, name, email, date, subject, body] = fields.slice(i, i + FIELDS.length) as [
      string, string, string, string, string, string, string,
    ];
    const prNumber = pullRequestNumberOf(subject);
    commits.push({
      // Records after the first start with the newline git puts between entries.
      sha: sha.replace(/^\n/, ''),
      subject,
      body: body.replace(/\n+$/, ''),
      author: { name, email },
      authoredAt: date,
      parents: parents === '' ? [] : parents.split(' '),
      ...(prNumber !== undefined ? { prNumber } : {}),
    });
  }
  return commits;
}

/**
 * Reads a file as it is in a commit (`git show <commit>:<path>`), e.g. the changelog of the
 * release commit rather than the working tree's.
 *
 * @param runner - a {@link GitRunner}.
 * @param dir - the repository's working directory.
 * @param revision - the commit (or tag, branch).
 * @param path - the file's path from the repository root, `/`-separated, no `..`.
 * @returns the content (UTF-8), or `undefined` when the commit has no such file.
 * @throws {@link ConfigurationError} when the revision or path is malformed or the revision unknown.
 */
export async function readFileAtCommit(
  runner: GitRunner,
  dir: string,
  revision: string,
  path: string,
): Promise<string | undefined> {
  if (!isRepositoryPath(path)) {
    throw new ConfigurationError('INVALID_INPUT', `read ${JSON.stringify(path)} from git: expected a path inside the repository`);
  }
  const sha = await resolveCommit(runner, dir, revision);
  const result = await runner(['cat-file', 'blob', '--end-of-options', `${sha}:${path}`], { cwd: dir, allowFailure: true });
  if (result.exitCode !== 0) return undefined;
  return result.stdout;
}
