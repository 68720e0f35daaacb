import type { RetentionPlan } from './types.js';

/** The columns of {@link describePlan}'s rows. */
export const RETENTION_PLAN_COLUMNS: readonly ['Action', 'Tags', 'Digest', 'Rule', 'Reason'] = Object.freeze([
  'Action',
  'Tags',
  'Digest',
  'Rule',
  'Reason',
] as const);

/** Counts of a {@link RetentionPlan}, for a summary line or action outputs. */
export interface RetentionPlanCounts {
  /** Manifests to delete. */
  deletedManifests: number;
  /** Tags that disappear with them (including signature and fallback index tags). */
  deletedTags: number;
  /** Tags removed while their manifest stays. */
  untaggedTags: number;
  /** Tags that stay. */
  keptTags: number;
  /** Untagged manifests that stay (index children, signatures, untouched untagged manifests). */
  keptManifests: number;
  /** Warnings. */
  warnings: number;
}

/** Options of {@link describePlan}. */
export interface DescribeRetentionPlanOptions {
  /** Include a row per kept tag and kept untagged manifest; default true. */
  includeKept?: boolean;
  /** At most this many rows (deletions first, then untags, then kept); the rest are counted in `omittedRows`. */
  maxRows?: number;
}

/** A {@link RetentionPlan} as table rows and counts. */
export interface RetentionPlanDescription {
  /** The header row: {@link RETENTION_PLAN_COLUMNS}. */
  columns: readonly string[];
  /**
   * One row per deleted manifest, untagged tag and (optionally) kept tag or manifest, in the order of
   * {@link RETENTION_PLAN_COLUMNS}. Cells are safe inside a GitHub-flavoured markdown table
   * (pipes escaped, tags and digests in code spans, digests shortened to 12 hex digits).
   */
  rows: string[][];
  /** Rows left out because of `maxRows`. */
  omittedRows: number;
  /** The counts of the whole plan (not only the rows shown). */
  counts: RetentionPlanCounts;
  /** A one-line summary, e.g. `delete 12 manifests (14 tags), untag 0 tags, keep 40 tags and 80 untagged manifests`. */
  summary: string;
}

/**
 * Turns a retention plan into rows for a markdown table (e.g. a job summary) and counts. Pure.
 *
 * @param plan - the plan from {@link planRetention}.
 * @param options - `includeKept` (default true) and `maxRows`.
 * @returns the columns, the rows, how many rows were left out, the counts and a one-line summary.
 * @example
 * ```ts
 * const { columns, rows, summary } = describePlan(plan, { maxRows: 500 });
 * const table = [columns, columns.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
 * ```
 */
export function describePlan(plan: RetentionPlan, options: DescribeRetentionPlanOptions = {}): RetentionPlanDescription {
  const rows: string[][] = [];
  for (const entry of plan.delete) {
    rows.push(['delete', codeList(entry.tags), code(shortDigest(entry.digest)), entry.rule, text(entry.reason)]);
  }
  for (const entry of plan.untag) {
    rows.push(['untag', code(entry.tag), code(shortDigest(entry.digest)), entry.rule, text(entry.reason)]);
  }
  if (options.includeKept !== false) {
    for (const entry of plan.keep) {
      const tags = entry.tag === undefined ? '(untagged)' : code(entry.tag);
      rows.push(['keep', tags, code(shortDigest(entry.digest)), entry.rule, text(entry.reason)]);
    }
  }
  const max = options.maxRows === undefined ? rows.length : Math.max(0, Math.floor(options.maxRows));
  const counts: RetentionPlanCounts = {
    deletedManifests: plan.delete.length,
    deletedTags: plan.delete.reduce((sum, entry) => sum + entry.tags.length, 0),
    untaggedTags: plan.untag.length,
    keptTags: plan.keep.filter((entry) => entry.tag !== undefined).length,
    keptManifests: plan.keep.filter((entry) => entry.tag === undefined).length,
    warnings: plan.warnings.length,
  };
  const summary = plan.skipped
    ? `nothing to do: ${plan.skipped}`
    : `delete ${counts.deletedManifests} manifest(s) (${counts.deletedTags} tag(s)), untag ${counts.untaggedTags} tag(s), ` +
      `keep ${counts.keptTags} tag(s) and ${counts.keptManifests} untagged manifest(s)`;
  return {
    columns: RETENTION_PLAN_COLUMNS,
    rows: rows.slice(0, max),
    omittedRows: Math.max(0, rows.length - max),
    counts,
    summary,
  };
}

function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest : digest.slice(0, colon + 13);
}

/** A code span; backticks cannot be escaped inside one, so they become quotes. */
function code(value: string): string {
  return `\`${value.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')}\``;
}

function codeList(values: readonly string[]): string {
  return values.length === 0 ? '(untagged)' : values.map(code).join(', ');
}

/** Plain text with markdown punctuation escaped (`sha-*` must not start emphasis). */
function text(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>|~]/g, '\\$&');
}
