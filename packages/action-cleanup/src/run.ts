import { createActionRegistryClient } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime } from '@tagwright/action-kit';
import { cleanup, ghcrRetentionBackend, registryRetentionBackend } from '@tagwright/core/cleanup';
import type { RetentionBackend } from '@tagwright/core/cleanup';
import { formatReference } from '@tagwright/core/registry';
import { describePlan } from '@tagwright/core/retention';
import type { RetentionMode, RetentionPlan } from '@tagwright/core/retention';
import type { Inputs } from './inputs.js';

/** What cleanup needs from the outside world. */
export interface Deps {
  /**
   * The retention backend of the image, chosen once from `inputs.backend`: the generic OCI registry, or
   * GHCR's Packages API (loaded lazily: octokit is heavy). Not called for a deleted git tag.
   */
  retentionBackend(inputs: Inputs): Promise<RetentionBackend>;
  now(): Date;
  info(message: string): void;
}

/** The real deps for a workflow run. */
export function createDeps(runtime: ActionRuntime): Deps {
  return {
    retentionBackend: async (inputs) => {
      // GHCR reads manifests with the GitHub token when no registry credentials are given.
      const registry =
        inputs.backend === 'ghcr' && inputs.registry.password === undefined && inputs.githubToken !== undefined
          ? { ...inputs.registry, username: inputs.registry.username ?? 'tagwright', password: inputs.githubToken }
          : inputs.registry;
      const client = createActionRegistryClient(registry, [inputs.image.registry], runtime, { userAgent: 'tagwright-cleanup' });
      if (inputs.backend === 'registry') return registryRetentionBackend({ client, repo: inputs.image });
      const github = (await import('./github.js')).createGhcrApi(inputs, runtime);
      return ghcrRetentionBackend({ github, client, repo: inputs.image });
    },
    now: () => runtime.now(),
    info: (message) => runtime.info(message),
  };
}

/** How many rows of the plan the job summary shows. */
const SUMMARY_ROWS = 500;

/**
 * Maps the inputs to one core `cleanup` (read, plan, print, re-read, delete) and its report to the
 * `deleted` and `kept` outputs and the summary. A delete event of a git tag changes nothing, without a request.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<ActionResult> {
  const trigger: RetentionMode =
    inputs.mode === 'branch-deleted'
      ? { mode: 'branch-deleted', branch: inputs.branch ?? '' }
      : inputs.mode === 'tag-deleted'
        ? { mode: 'tag-deleted' }
        : { mode: 'scheduled' };
  const report = await cleanup(
    { image: inputs.image, policy: inputs.policy, trigger, dryRun: inputs.dryRun, now: deps.now() },
    { backend: () => deps.retentionBackend(inputs), onProgress: deps.info },
  );
  // What really went: the execution stops early when a tag moved onto a build it was about to delete.
  const done = report.execution ? new Set(report.execution.deleted.map((entry) => entry.digest)) : undefined;
  const plan = done ? { ...report.plan, delete: report.plan.delete.filter((entry) => done.has(entry.digest)) } : report.plan;
  return finish(inputs, formatReference(inputs.image), plan, report.warnings, report.read);
}

function finish(inputs: Inputs, image: string, plan: RetentionPlan, warnings: string[], read: boolean): ActionResult {
  const description = describePlan(plan, { maxRows: SUMMARY_ROWS });
  const { counts } = description;
  const lines = [
    `## cleanup ${inputs.dryRun ? '(dry run) ' : ''}\`${image}\`\n\n`,
    `Mode \`${inputs.mode}\`${inputs.branch && inputs.mode === 'branch-deleted' ? ` (branch \`${inputs.branch}\`)` : ''}. `,
    inputs.dryRun ? `Would delete` : `Deleted`,
    ` **${counts.deletedManifests}** manifest(s) (${counts.deletedTags} tag(s)); kept **${counts.keptTags}** tag(s) and ${counts.keptManifests} untagged manifest(s).\n\n`,
  ];
  if (plan.skipped) lines.push(`> [!NOTE]\n> ${plan.skipped}\n\n`);
  if (read && description.rows.length > 0) {
    const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
    lines.push([row(description.columns), row(description.columns.map(() => '---')), ...description.rows.map(row)].join('\n'), '\n');
    if (description.omittedRows > 0) lines.push(`\n${description.omittedRows} more row(s) in the \`kept\` and \`deleted\` outputs.\n`);
  }
  if (warnings.length > 0) lines.push(`\n**Warnings**\n\n${warnings.map((w) => `- ${w.replace(/[\r\n]+/g, ' ')}`).join('\n')}\n`);
  return {
    outputs: {
      deleted: plan.delete.map((entry) => ({ digest: entry.digest, tags: entry.tags, rule: entry.rule, reason: entry.reason })),
      kept: plan.keep.map((entry) => ({
        ...(entry.tag !== undefined ? { tag: entry.tag } : {}),
        digest: entry.digest,
        rule: entry.rule,
        reason: entry.reason,
      })),
    },
    summary: lines.join(''),
    warnings,
  };
}
