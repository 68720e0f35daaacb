import { ConfigurationError } from '../errors.js';
import { isRepositoryPath } from '../grammar/path.js';

/**
 * Where a release's hand-written notes live.
 *
 * - `per-version`: one file per release; `template` names it with a `{version}` (or `{base}`: `X.Y.Z`) placeholder
 *   (e.g. `CHANGELOGS/{version}.md`); `files` maps paths to contents (the caller reads them).
 * - `keep-a-changelog`: one `CHANGELOG.md` in the {@link https://keepachangelog.com/en/1.1.0/ | Keep a Changelog 1.1.0}
 *   layout (or the changesets layout): a `## [X.Y.Z] - YYYY-MM-DD` or `## X.Y.Z` section per release.
 */
export type ChangelogSource =
  | { kind: 'per-version'; template: string; files: Readonly<Record<string, string>> }
  | { kind: 'keep-a-changelog'; content: string };

const VERSION_IN_HEADING = /^##(?!#)\s+\[?v?(?<version>[0-9A-Za-z.+-]+?)\]?(?:\s+[-–—]\s+.*)?\s*$/;
const LINK_REFERENCE = /^\s*\[[^\]]+\]:\s*\S+/;

/** A staging build `X.Y.Z-staging.N` (as compute-tags reserves it): its base `X.Y.Z` and its number. */
export interface StagingBuild {
  /** `X.Y.Z`, without `v`. */
  base: string;
  /** N. */
  build: number;
}

/**
 * Reads a staging build version, `X.Y.Z-staging.N` (with or without `v`). Pure.
 *
 * @param version - a version, e.g. `1.5.0-staging.3`.
 * @returns `{ base: '1.5.0', build: 3 }`, or undefined for any other version.
 */
export function stagingBuildOf(version: string): StagingBuild | undefined {
  const match = /^v?(?<base>(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*))-staging\.(?<build>0|[1-9]\d*)$/.exec(version);
  if (!match?.groups) return undefined;
  return { base: match.groups['base'] as string, build: Number(match.groups['build']) };
}

/**
 * Extracts the release notes of `version` from a changelog. A missing or empty section is an
 * error, never an empty release.
 *
 * A staging build `X.Y.Z-staging.N` reads the notes of its base `X.Y.Z` (the `{base}` file of a
 * template such as `CHANGELOGS/{base}.md`, or, when the `{version}` file or section of the build itself
 * is absent, the base's) and they start with the line `Staging build N of X.Y.Z.`
 *
 * @param version - `X.Y.Z[-pre]`, with or without a `v` prefix; headings match either spelling.
 * @param source - see {@link ChangelogSource}.
 * @returns the section's Markdown without its heading (and, for `keep-a-changelog`, without the
 *   link reference definitions that close the file), trimmed, ending with one newline.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when the template has no `{version}` or `{base}`
 *   placeholder; `MISSING_CHANGELOG` when the file or the section for `version` is absent or empty.
 * @example
 * ```ts
 * notesFromChangelog('1.2.0', { kind: 'keep-a-changelog', content: readFileSync('CHANGELOG.md', 'utf8') });
 * ```
 */
export function notesFromChangelog(version: string, source: ChangelogSource): string {
  const staging = stagingBuildOf(version);
  const notes = sectionOf(version, source);
  return staging ? `Staging build ${staging.build} of ${staging.base}.\n\n${notes}` : notes;
}

function sectionOf(version: string, source: ChangelogSource): string {
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
  const headingOf = (wanted: string): number => lines.findIndex((line) => VERSION_IN_HEADING.exec(line)?.groups?.version === wanted);
  let start = headingOf(bare);
  // A staging build without its own section reads its base's.
  const base = stagingBuildOf(version)?.base;
  if (start < 0 && base !== undefined) start = headingOf(base);
  if (start < 0) {
    throw new ConfigurationError(
      'MISSING_CHANGELOG',
      `read release notes of ${version} from the changelog: no "## [${bare}]" or "## ${bare}" section${base !== undefined ? ` (nor of its base ${base})` : ''}`,
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
 * the version as given, then with the `v` prefix dropped or added. `{base}` is the version's
 * `X.Y.Z` (prerelease and build dropped): `CHANGELOGS/{base}.md` names `CHANGELOGS/1.5.0.md` for
 * `1.5.0-staging.3`. A staging build `X.Y.Z-staging.N` with a `{version}` template also tries the
 * base's files, after its own.
 *
 * @param version - the version (`1.2.3` or `v1.2.3`).
 * @param template - a relative path with a `{version}` or `{base}` placeholder, e.g. `CHANGELOGS/{version}.md`.
 * @returns the paths, without duplicates.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when the template has no placeholder, or is
 *   absolute or climbs out of the repository with `..`.
 */
export function changelogPaths(version: string, template: string): string[] {
  if (!template.includes('{version}') && !template.includes('{base}')) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read release notes with template ${JSON.stringify(template)}: it has no {version} or {base} placeholder`,
    );
  }
  if (!isRepositoryPath(template)) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read release notes with template ${JSON.stringify(template)}: it must be a path inside the repository`,
    );
  }
  const spell = (given: string): string[] => {
    const bare = given.replace(/^v(?=\d)/, '');
    return given === bare ? [bare, `v${bare}`] : [given, bare];
  };
  const bare = version.replace(/^v(?=\d)/, '');
  const base = stagingBuildOf(version)?.base ?? bare.replace(/[-+].*$/, '');
  const baseSpellings = spell(version.startsWith('v') ? `v${base}` : base);
  const render = (v: string, b: string): string => template.replaceAll('{version}', v).replaceAll('{base}', b);
  const paths = spell(version).map((v, index) => render(v, baseSpellings[index] as string));
  // A staging build falls back to its base's file.
  if (template.includes('{version}') && stagingBuildOf(version)) paths.push(...baseSpellings.map((b) => render(b, b)));
  return [...new Set(paths)];
}
