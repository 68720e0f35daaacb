import { createActionRegistryClient } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime } from '@tagwright/action-kit';
import { formatReference } from '@tagwright/core/registry';
import type { RegistryClient } from '@tagwright/core/registry';
import {
  describePlan,
  executeRetentionPlan,
  gatherGhcrInventory,
  gatherReferrers,
  gatherRegistryInventory,
  ghcrDeleteTarget,
  planRetention,
  registryDeleteTarget,
} from '@tagwright/core/retention';
import type {
  RetentionDeleteTarget,
  RetentionInput,
  RetentionInventory,
  RetentionPlan,
} from '@tagwright/core/retention';
import type { GhcrApi } from './github.js';
import type { Inputs } from './inputs.js';

/** What cleanup needs from the outside world. */
export interface Deps {
  registryClient(inputs: Inputs): RegistryClient;
  /** The GitHub Packages API for GHCR; loaded lazily (octokit is heavy). */
  github(inputs: Inputs): Promise<GhcrApi>;
  now(): Date;
  info(message: string): void;
}

/** The real deps for a workflow run. */
export function createDeps(runtime: ActionRuntime): Deps {
  return {
    registryClient: (inputs) => {
      // GHCR reads manifests with the GitHub token when no registry credentials are given.
      const registry =
        inputs.backend === 'ghcr' && inputs.registry.password === undefined && inputs.githubToken !== undefined
          ? { ...inputs.registry, username: inputs.registry.username ?? 'tagwright', password: inputs.githubToken }
          : inputs.registry;
      return createActionRegistryClient(registry, [inputs.image.registry], runtime, { userAgent: 'tagwright-cleanup' });
    },
    github: async (inputs) => (await import('./github.js')).createGhcrApi(inputs, runtime),
    now: () => runtime.now(),
    info: (message) => runtime.info(message),
  };
}

/** How many rows of the plan the job summary shows. */
const SUMMARY_ROWS = 500;

/**
 * Reads the repository, plans by the policy, prints the plan, then (unless a dry run) deletes what the
 * plan deletes in its safe order. A delete event of a git tag changes nothing, without a request.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<ActionResult> {
  const now = deps.now();
  const image = formatReference(inputs.image);
  const mode: Pick<RetentionInput, 'mode'> & Record<string, unknown> =
    inputs.mode === 'branch-deleted'
      ? { mode: 'branch-deleted', branch: inputs.branch ?? '' }
      : inputs.mode === 'tag-deleted'
        ? { mode: 'tag-deleted' }
        : { mode: 'scheduled' };
  const plan = (inventory: RetentionInventory): RetentionPlan =>
    planRetention({ inventory, policy: inputs.policy, canUntag: false, now, ...mode } as RetentionInput);

  if (inputs.mode === 'tag-deleted') {
    const empty = plan({ tags: [] });
    return finish(inputs, image, empty, [], false);
  }

  const client = deps.registryClient(inputs);
  const warnings: string[] = [];
  const needsCreated =
    inputs.mode === 'retention'
      ? (tag: string): boolean =>
          !(inputs.compiled.only && !inputs.compiled.only.regex.test(tag)) && !inputs.compiled.protect.some((p) => p.regex.test(tag))
      : (): boolean => false;
  let target: RetentionDeleteTarget;
  let result: RetentionPlan;
  if (inputs.backend === 'ghcr') {
    const github = await deps.github(inputs);
    const [owner = '', ...rest] = inputs.image.repository.split('/');
    const packageName = rest.join('/');
    deps.info(`Reading the versions of GHCR package ${owner}/${packageName}`);
    const gathered = await gatherGhcrInventory({
      github,
      owner,
      packageName,
      client,
      repo: inputs.image,
      readUntagged: inputs.policy.deleteUntagged === true,
    });
    warnings.push(...gathered.warnings);
    result = plan(gathered.inventory);
    target = ghcrDeleteTarget(github, gathered.owner, packageName, gathered.versions);
  } else {
    deps.info(`Reading the tags of ${image}`);
    const gathered = await gatherRegistryInventory({ client, repo: inputs.image, needsCreated });
    warnings.push(...gathered.warnings);
    result = plan(gathered.inventory);
    if (result.delete.length > 0) {
      // Referrers of what goes (referrers API, or the fallback index): they go with their subject.
      const withReferrers = await gatherReferrers(client, inputs.image, gathered.inventory, result.delete.map((entry) => entry.digest));
      warnings.push(...withReferrers.warnings);
      result = plan(withReferrers.inventory);
    }
    target = registryDeleteTarget(client, inputs.image);
  }
  warnings.push(...result.warnings);

  // The plan is always printed before the first delete.
  deps.info(`Plan for ${image}${inputs.dryRun ? ' (dry run)' : ''}: ${describePlan(result).summary}`);
  for (const entry of result.delete) deps.info(`  delete ${entry.digest} ${tagList(entry.tags)}: ${entry.reason}`);
  for (const entry of result.keep) deps.info(`  keep   ${entry.digest} ${entry.tag ?? '(untagged)'}: ${entry.reason}`);

  if (!inputs.dryRun && result.delete.length > 0) {
    await executeRetentionPlan(result, target, {
      onDeleted: (done) => deps.info(`Deleted ${done.digest} ${tagList(done.tags)}${done.alreadyAbsent ? ' (already gone)' : ''}`),
    });
  }
  return finish(inputs, image, result, warnings, true);
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

function tagList(tags: readonly string[]): string {
  return tags.length === 0 ? '(untagged)' : tags.join(', ');
}
