import { errorMessage } from '../errors.js';
import { changelogPaths, notesFromChangelog } from './changelog-file.js';
import type { ChangelogSource } from './changelog-file.js';

/** The verdict of {@link changelogSectionFinal}. */
export interface ChangelogFinality {
  passed: boolean;
  /** Why, for the summary: `## [1.5.0] - 2026-03-04 in CHANGELOG.md, 12 lines` or what is missing. */
  reason: string;
}

const NOT_FINAL = /\b(TBD|TBA|Unreleased|WIP)\b/i;
const VERSION_HEADING = /^##(?!#)\s+\[?v?(?<version>[0-9A-Za-z.+-]+?)\]?(?<rest>\s+[-–—]?.*)?\s*$/;

/** Checks one heading's date part: none at all is fine (`## 1.5.0`), else it must be a YYYY-MM-DD date. */
function headingProblem(heading: string): string | undefined {
  if (NOT_FINAL.test(heading)) return `its heading ${JSON.stringify(heading.trim())} is not final (TBD/Unreleased)`;
  const dash = /\s[-–—]\s*(?<date>.*)$/.exec(heading.replace(/^#+\s+\[?v?[0-9A-Za-z.+-]+?\]?/, ''));
  if (dash) {
    const date = dash.groups?.date?.trim() ?? '';
    if (date === '') return `its heading ${JSON.stringify(heading.trim())} has an empty date`;
    if (!/^\d{4}-\d{2}-\d{2}\b/.test(date)) return `its heading ${JSON.stringify(heading.trim())} has no YYYY-MM-DD date`;
  }
  return undefined;
}

/**
 * Decides whether the changelog section of `version` is final, the gate before a release goes out
 * (the incident: a release published with its date still `TBD`): the heading has no `TBD`/`TBA`/
 * `Unreleased`/`WIP`, its date part (after ` - `) is not empty and is `YYYY-MM-DD`, and the body is
 * not empty. Both layouts: {@link https://keepachangelog.com/en/1.1.0/ | Keep a Changelog}
 * (`## [X.Y.Z] - YYYY-MM-DD`) and one file per version (`CHANGELOGS/X.Y.Z.md`, whose first heading is
 * checked when it has one). Pure.
 *
 * @param version - `X.Y.Z[-pre]`, with or without `v`.
 * @param source - see {@link ChangelogSource}.
 * @returns passed and the reason.
 */
export function changelogSectionFinal(version: string, source: ChangelogSource): ChangelogFinality {
  let body: string;
  try {
    body = notesFromChangelog(version, source);
  } catch (error: unknown) {
    return { passed: false, reason: errorMessage(error) };
  }
  const bare = version.replace(/^v(?=\d)/, '');
  if (source.kind === 'keep-a-changelog') {
    const heading = source.content.split(/\r?\n/).find((line) => VERSION_HEADING.exec(line)?.groups?.version === bare) ?? '';
    const problem = headingProblem(heading);
    if (problem) return { passed: false, reason: `the changelog section of ${bare}: ${problem}` };
    return { passed: true, reason: `${JSON.stringify(heading.trim())}, ${body.trim().split('\n').length} line(s)` };
  }
  const path = changelogPaths(version, source.template).find((candidate) => source.files[candidate] !== undefined) as string;
  const lines = (source.files[path] ?? '').split(/\r?\n/);
  const index = lines.findIndex((line) => /^#{1,2}(?!#)\s/.test(line));
  const heading = index >= 0 ? (lines[index] as string) : '';
  const problem = heading === '' ? undefined : headingProblem(heading);
  if (problem) return { passed: false, reason: `${path}: ${problem}` };
  const rest = (index >= 0 ? lines.slice(index + 1) : lines).join('\n').trim();
  if (rest === '') return { passed: false, reason: `${path}: the body under its heading is empty` };
  return { passed: true, reason: `${path}${heading ? ` ${JSON.stringify(heading.trim())}` : ''}, ${rest.split('\n').length} line(s)` };
}
