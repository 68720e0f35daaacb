import { ConfigurationError } from '../errors.js';
import { isRepositoryPath } from '../grammar/path.js';

/**
 * Where a release's hand-written notes live.
 *
 * - `per-version`: one file per release; `template` names it with a `{version}` placeholder
 *   (e.g. `CHANGELOGS/{version}.md`); `files` maps paths to contents (the caller reads them).
 * - `keep-a-changelog`: one `CHANGELOG.md` in the {@link https://keepachangelog.com/en/1.1.0/ | Keep a Changelog 1.1.0}
 *   layout (or the changesets layout): a `## [X.Y.Z] - YYYY-MM-DD` or `## X.Y.Z` section per release.
 */
export type ChangelogSource =
  | { kind: 'per-version'; template: string; files: Readonly<Record<string, string>> }
  | { kind: 'keep-a-changelog'; content: string };

const VERSION_IN_HEADING = /^##(?!#)\s+\[?v?(?<version>[0-9A-Za-z.+-]+?)\]?(?:\s+[-–—]\s+.*)?\s*$/;
const LINK_REFERENCE = /^\s*\[[^\]]+\]:\s*\S+/;

/**
 * Extracts the release notes of `version` from a changelog. A missing or empty section is an
 * error, never an empty release.
 *
 * @param version - `X.Y.Z[-pre]`, with or without a `v` prefix; headings match either spelling.
 * @param source - see {@link ChangelogSource}.
 * @returns the section's Markdown without its heading (and, for `keep-a-changelog`, without the
 *   link reference definitions that close the file), trimmed, ending with one newline.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when the template has no `{version}`
 *   placeholder; `MISSING_CHANGELOG` when the file or the section for `version` is absent or empty.
 * @example
 * ```ts
 * notesFromChangelog('1.2.0', { kind: 'keep-a-changelog', content: readFileSync('CHANGELOG.md', 'utf8') });
 * ```
 */
export function notesFromChangelog(version: string, source: ChangelogSource): string {
  const bare = version.replace(/^v(?=\d)/, '');
  if (source.kind === 'per-version') {
    const paths = changelogPaths(version, source.template);
    for (const path of paths) {
      const content = source.files[path];
      if (content !== undefined) {
        if (content.trim() === '') {
          throw new ConfigurationError('MISSING_CHANGELOG', `read release notes of ${version} from ${path}: the file is empty`);
        }
        return `${content.trim()}\n`;
      }
    }
    throw new ConfigurationError(
      'MISSING_CHANGELOG',
      `read release notes of ${version}: no file ${paths.map((p) => JSON.stringify(p)).join(' or ')}`,
    );
  }
  const lines = source.content.split(/\r?\n/);
  let start = -1;
  for (const [index, line] of lines.entries()) {
    const match = VERSION_IN_HEADING.exec(line);
    if (match?.groups?.version === bare) {
      start = index;
      break;
    }
  }
  if (start < 0) {
    throw new ConfigurationError(
      'MISSING_CHANGELOG',
      `read release notes of ${version} from the changelog: no "## [${bare}]" or "## ${bare}" section`,
    );
  }
  const section: string[] = [];
  let inFence = false;
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (!inFence && /^#{1,2}(?!#)\s/.test(line)) break;
    section.push(line);
  }
  while (section.length > 0 && (section.at(-1)!.trim() === '' || LINK_REFERENCE.test(section.at(-1)!))) {
    section.pop();
  }
  const text = section.join('\n').trim();
  if (text === '') {
    throw new ConfigurationError('MISSING_CHANGELOG', `read release notes of ${version} from the changelog: the section is empty`);
  }
  return `${text}\n`;
}

/**
 * The paths a `per-version` template gives for a version, in the order they are tried:
 * the version as given, then with the `v` prefix dropped or added.
 *
 * @param version - the version (`1.2.3` or `v1.2.3`).
 * @param template - a relative path with a `{version}` placeholder, e.g. `CHANGELOGS/{version}.md`.
 * @returns one or two paths.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when the template has no placeholder, or is
 *   absolute or climbs out of the repository with `..`.
 */
export function changelogPaths(version: string, template: string): string[] {
  if (!template.includes('{version}')) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read release notes with template ${JSON.stringify(template)}: it has no {version} placeholder`,
    );
  }
  if (!isRepositoryPath(template)) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read release notes with template ${JSON.stringify(template)}: it must be a path inside the repository`,
    );
  }
  const bare = version.replace(/^v(?=\d)/, '');
  const spellings = version === bare ? [bare, `v${bare}`] : [version, bare];
  return spellings.map((v) => template.replaceAll('{version}', v));
}
