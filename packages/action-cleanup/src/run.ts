import { createActionRegistryClient } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime } from '@tagwright/action-kit';
import {
  executeRetentionPlan,
  formatReference,
  gatherGhcrInventory,
  gatherReferrers,
  gatherRegistryInventory,
  ghcrDeleteTarget,
  refreshGhcrTags,
  refreshRegistryTags,
  registryDeleteTarget,
} from '@tagwright/core/registry';
import type { RegistryClient, RetentionDeleteTarget } from '@tagwright/core/registry';
import { describePlan, isRetentionCandidate, planRetention } from '@tagwright/core/retention';
import type { RetentionInput, RetentionInventory, RetentionPlan } from '@tagwright/core/retention';
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
    inputs.mode === 'retention' ? (tag: string): boolean => isRetentionCandidate(inputs.compiled, tag) : (): boolean => false;
  let result: RetentionPlan;
  let inventory: RetentionInventory;
  /** Re-reads the tags just before deleting: what arrived or moved since the inventory was read. */
  let refresh: (known: RetentionInventory, plan: RetentionPlan) => Promise<{ inventory: RetentionInventory; changed: string[]; target: RetentionDeleteTarget }>;
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
    inventory = gathered.inventory;
    result = plan(inventory);
    refresh = async (known) => {
      const fresh = await refreshGhcrTags(github, gathered.owner, packageName, known);
      return { ...fresh, target: ghcrDeleteTarget(github, gathered.owner, packageName, fresh.versions) };
    };
  } else {
    deps.info(`Reading the tags of ${image}`);
    const gathered = await gatherRegistryInventory({ client, repo: inputs.image, needsCreated });
    warnings.push(...gathered.warnings);
    inventory = gathered.inventory;
    result = plan(inventory);
    if (result.delete.length > 0) {
      // Referrers of what goes (referrers API, or the fallback index): they go with their subject.
      const withReferrers = await gatherReferrers(client, inputs.image, inventory, result.delete.map((entry) => entry.digest));
      warnings.push(...withReferrers.warnings);
      inventory = withReferrers.inventory;
      result = plan(inventory);
    }
    const target = registryDeleteTarget(client, inputs.image);
    refresh = async (known, planned) => {
      // Protected tags are resolved again: a rollback or a promotion may have moved one onto an old build.
      const recheck = planned.keep.filter((entry) => entry.rule === 'protect' && entry.tag !== undefined).map((entry) => entry.tag as string);
      return { ...(await refreshRegistryTags(client, inputs.image, known, { recheck })), target };
    };
  }

  // The plan is always printed before the first delete.
  printPlan(deps, `Plan for ${image}${inputs.dryRun ? ' (dry run)' : ''}`, result);

  if (!inputs.dryRun && result.delete.length > 0) {
    const fresh = await refresh(inventory, result);
    if (fresh.changed.length > 0) {
      const again = plan(fresh.inventory);
      const planned = new Set(result.delete.map((entry) => entry.digest));
      const changed = fresh.changed.join(', ');
      if (again.delete.some((entry) => !planned.has(entry.digest))) {
        warnings.push(...result.warnings);
        warnings.push(`tags changed while the repository was read (${changed}): nothing deleted; run again`);
        return finish(inputs, image, { ...result, delete: [], skipped: `the repository changed while it was read (${changed})` }, warnings, true);
      }
      warnings.push(`tags changed while the repository was read (${changed}); planned again with them`);
      result = again;
      printPlan(deps, `Plan for ${image} after the change`, result);
    }
    await executeRetentionPlan(result, fresh.target, {
      onDeleted: (done) => deps.info(`Deleted ${done.digest} ${tagList(done.tags)}${done.alreadyAbsent ? ' (already gone)' : ''}`),
    });
  }
  warnings.push(...result.warnings);
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

function printPlan(deps: Pick<Deps, 'info'>, title: string, plan: RetentionPlan): void {
  deps.info(`${title}: ${describePlan(plan).summary}`);
  for (const entry of plan.delete) deps.info(`  delete ${entry.digest} ${tagList(entry.tags)}: ${entry.reason}`);
  for (const entry of plan.keep) deps.info(`  keep   ${entry.digest} ${entry.tag ?? '(untagged)'}: ${entry.reason}`);
}

function tagList(tags: readonly string[]): string {
  return tags.length === 0 ? '(untagged)' : tags.join(', ');
}
