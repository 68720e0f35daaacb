import { ConfigurationError } from '../errors.js';

/**
 * A commit as data, the shape both `commitRange` (local git) and the GitHub adapter's
 * `compareCommits` return, and what {@link notesFromCommits} reads.
 */
export interface CommitInfo {
  /** Full object name (40 hex characters; 64 in a SHA-256 repository). */
  sha: string;
  /** First line (first paragraph, joined) of the message. */
  subject: string;
  /** The message after the subject, without the blank line; `''` when none. */
  body: string;
  /** Author as git records it; `login` when GitHub knows the account. */
  author: { name: string; email: string; login?: string };
  /** Author date, ISO 8601 with offset. */
  authoredAt?: string;
  /** Parent object names; more than one for a merge commit. */
  parents?: string[];
  /** The pull request the commit came from, when known. */
  prNumber?: number;
}

/** A commit message header parsed as a {@link https://www.conventionalcommits.org/en/v1.0.0/#specification | Conventional Commit}. */
export interface ConventionalCommit {
  /** Lower-cased type (`feat`, `fix`, ...); undefined when the subject does not follow the format. */
  type?: string;
  scope?: string;
  /** The description after `: `, or the whole subject when not conventional. */
  description: string;
  /** `!` after the type/scope, or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer. */
  breaking: boolean;
  /** The text of the `BREAKING CHANGE:` footer, when there is one. */
  breakingNote?: string;
}

const HEADER = /^(?<type>[A-Za-z][\w-]*)(?:\((?<scope>[^()\r\n]+)\))?(?<bang>!)?: +(?<description>\S.*)$/;
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE: ?(.*)$/;
const FOOTER_TOKEN = /^(?:[\w-]+: |[\w-]+ #|BREAKING[ -]CHANGE: )/;

/** Finds a `BREAKING CHANGE:` footer; its text runs until the next footer token or the end. */
function breakingFooter(body: string): { note: string } | undefined {
  const lines = body.split(/\r?\n/);
  const start = lines.findIndex((l) => BREAKING_FOOTER.test(l));
  if (start < 0) return undefined;
  const note = [BREAKING_FOOTER.exec(lines[start]!)![1] ?? ''];
  for (const line of lines.slice(start + 1)) {
    if (FOOTER_TOKEN.test(line)) break;
    note.push(line);
  }
  return { note: note.join('\n').trim() };
}

/**
 * Parses a commit subject and body following
 * {@link https://www.conventionalcommits.org/en/v1.0.0/#specification | Conventional Commits 1.0.0}.
 *
 * @param subject - the first line of the message.
 * @param body - the rest of the message (may hold a `BREAKING CHANGE:` footer).
 * @returns the type, scope, description and whether the change is breaking; a non-conventional
 *   subject gives `type: undefined` and the subject as description.
 */
export function parseConventionalCommit(subject: string, body = ''): ConventionalCommit {
  const match = HEADER.exec(subject.trim());
  const footer = breakingFooter(body);
  const breakingNote = footer?.note || undefined;
  if (!match?.groups) {
    return { description: subject.trim(), breaking: footer !== undefined, ...(breakingNote ? { breakingNote } : {}) };
  }
  const { type, scope, bang, description } = match.groups;
  return {
    type: type!.toLowerCase(),
    ...(scope ? { scope: scope.trim() } : {}),
    description: description!.trim(),
    breaking: bang !== undefined || footer !== undefined,
    ...(breakingNote ? { breakingNote } : {}),
  };
}

/** Options of {@link notesFromCommits}. */
export interface NotesFromCommitsOptions {
  /** The repository's web URL, e.g. `https://github.com/owner/repo`; commit and PR links hang off it. */
  repoUrl: string;
  /** Previous release tag; with `to`, adds a "Full changelog" compare link. */
  from?: string;
  /** The tag being released. */
  to?: string;
}

const SQUASH_PR = /\s*\(#(?<pr>\d+)\)$/;
const MERGE_PR = /^Merge pull request #(?<pr>\d+) from /;

/**
 * The pull request a commit subject names: a squash merge's trailing `(#123)`, or a merge
 * commit's `Merge pull request #123 from …`.
 *
 * @param subject - the first line of the commit message.
 * @returns the pull request number, or undefined.
 */
export function pullRequestNumberOf(subject: string): number | undefined {
  const match = SQUASH_PR.exec(subject) ?? MERGE_PR.exec(subject);
  return match?.groups?.pr ? Number(match.groups.pr) : undefined;
}

interface Line {
  text: string;
  breakingNote?: string;
}

/**
 * Renders release notes (Markdown) from a range of commits, grouped by Conventional Commit type:
 * breaking changes first (`!` or a `BREAKING CHANGE:` footer), then features (`feat`), fixes
 * (`fix`), then every other commit. Each line links the pull request when known (`prNumber`, or a
 * trailing `(#123)` in a squash-merge subject) and the commit. Merge commits (more than one parent,
 * or a "Merge pull request #N" subject) are left out: their changes appear through their parents.
 *
 * @param commits - the commits of the release, in any order; listed in the order given.
 * @param options - `repoUrl` (http/https), and optional `from`/`to` tags for a compare link.
 * @returns the Markdown body; `"No changes."` (plus the compare link) when no commit remains.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when `repoUrl` is not an http(s) URL.
 * @example
 * ```ts
 * notesFromCommits(await commitRange(git, dir, 'v1.2.0', 'v1.3.0'), {
 *   repoUrl: 'https://github.com/acme/app', from: 'v1.2.0', to: 'v1.3.0',
 * });
 * ```
 */
export function notesFromCommits(commits: readonly CommitInfo[], options: NotesFromCommitsOptions): string {
  const repoUrl = checkRepoUrl(options.repoUrl);
  const breaking: Line[] = [];
  const features: Line[] = [];
  const fixes: Line[] = [];
  const others: Line[] = [];
  for (const commit of commits) {
    if ((commit.parents?.length ?? 0) > 1 || MERGE_PR.test(commit.subject)) continue;
    const squash = SQUASH_PR.exec(commit.subject);
    const prNumber = commit.prNumber ?? (squash?.groups?.pr ? Number(squash.groups.pr) : undefined);
    const subject = squash ? commit.subject.slice(0, squash.index) : commit.subject;
    const parsed = parseConventionalCommit(subject, commit.body);
    const scope = parsed.scope ? `**${escapeMarkdown(parsed.scope)}:** ` : '';
    const links = [
      ...(prNumber !== undefined ? [`[#${prNumber}](${repoUrl}/pull/${prNumber})`] : []),
      `[${commit.sha.slice(0, 7)}](${repoUrl}/commit/${commit.sha})`,
    ];
    const line: Line = {
      text: `${scope}${escapeMarkdown(parsed.description)} (${links.join(', ')})`,
      ...(parsed.breakingNote ? { breakingNote: parsed.breakingNote } : {}),
    };
    if (parsed.breaking) breaking.push(line);
    else if (parsed.type === 'feat') features.push(line);
    else if (parsed.type === 'fix') fixes.push(line);
    else others.push(line);
  }
  const sections: string[] = [];
  const section = (title: string, lines: Line[]): void => {
    if (lines.length === 0) return;
    const items = lines.map((l) =>
      l.breakingNote ? `- ${l.text}\n${indent(l.breakingNote)}` : `- ${l.text}`,
    );
    sections.push(`### ${title}\n\n${items.join('\n')}`);
  };
  section('⚠ Breaking changes', breaking);
  section('Features', features);
  section('Bug fixes', fixes);
  section('Other changes', others);
  if (sections.length === 0) sections.push('No changes.');
  if (options.from && options.to) {
    sections.push(
      `**Full changelog**: ${repoUrl}/compare/${encodeURIComponent(options.from)}...${encodeURIComponent(options.to)}`,
    );
  }
  return `${sections.join('\n\n')}\n`;
}

function checkRepoUrl(repoUrl: string): string {
  let url: URL;
  try {
    url = new URL(repoUrl);
  } catch (cause) {
    throw new ConfigurationError('INVALID_INPUT', `render release notes for repository URL ${JSON.stringify(repoUrl)}: not a URL`, { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `render release notes for repository URL ${JSON.stringify(repoUrl)}: expected an http(s) URL`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigurationError('INVALID_INPUT', 'render release notes for repository URL: it must not carry credentials');
  }
  return repoUrl.replace(/\/+$/, '');
}

/** Escapes the characters that would turn a commit description into a link, image or HTML. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\[\]<>]/g, (c) => `\\${c}`);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : `  ${l}`))
    .join('\n');
}
