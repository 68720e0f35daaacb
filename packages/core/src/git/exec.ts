import { execFile } from 'node:child_process';
import { TagwrightError } from '../errors.js';
import { redact } from '../redact.js';

/** The result of one git invocation. */
export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs git with an argument array, never through a shell. Callers put `--end-of-options`
 * before any user-supplied ref or path.
 */
export type GitRunner = (args: readonly string[], options?: { cwd?: string; allowFailure?: boolean }) => Promise<GitResult>;

/** git exited non-zero; the message carries git's own stderr. */
export class GitError extends TagwrightError<'GIT_FAILED'> {
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly stderr: string;

  constructor(args: readonly string[], exitCode: number, stderr: string) {
    // A remote URL with userinfo or a token may appear in the arguments or in git's own output.
    super('GIT_FAILED', redact(`git ${args.join(' ')}: exit ${exitCode}: ${stderr.trim() || '(no output)'}`));
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = redact(stderr);
  }
}

/**
 * Creates a {@link GitRunner} backed by the `git` binary (`execFile`, argument arrays only).
 *
 * @param options - `gitPath` (default `git`), `env` extra environment (merged over `process.env`
 *   by the adapter's caller, never read inside logic), `timeoutMs` per call (default 120 000 ms).
 * @returns a runner that resolves with stdout/stderr/exit code, and rejects with {@link GitError}
 *   on a non-zero exit unless `allowFailure` is set.
 */
export function createGitRunner(
  options: { gitPath?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): GitRunner {
  const gitPath = options.gitPath ?? 'git';
  return (args, runOptions = {}) =>
    new Promise<GitResult>((resolve, reject) => {
      execFile(
        gitPath,
        [...args],
        {
          cwd: runOptions.cwd,
          env: { ...options.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
          maxBuffer: 64 * 1024 * 1024,
          timeout: options.timeoutMs ?? 120_000,
          encoding: 'utf8',
        },
        (error, stdout, stderr) => {
          const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          if (error && typeof error.code !== 'number') {
            reject(new GitError(args, -1, `${error.message}\n${stderr}`));
            return;
          }
          if (exitCode !== 0 && !runOptions.allowFailure) {
            reject(new GitError(args, exitCode, stderr));
            return;
          }
          resolve({ stdout, stderr, exitCode });
        },
      );
    });
}
