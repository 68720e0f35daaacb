import { formatReference } from '../registry/reference.js';
import type { RepositoryReference } from '../registry/reference.js';
import { describePlan } from '../retention/describe.js';
import { planRetention } from '../retention/plan.js';
import { compileRetentionPolicy, isRetentionCandidate } from '../retention/policy.js';
import { replanAfterChange } from '../retention/replan.js';
import type { RetentionReplan } from '../retention/replan.js';
import type { RetentionInput, RetentionInventory, RetentionMode, RetentionPlan, RetentionPolicy } from '../retention/types.js';
import type { RetentionBackend } from './backends.js';
import { executeRetentionPlan } from './inventory.js';
import type { RetentionExecutionReport } from './inventory.js';

/** What a cleanup is asked to do. */
export interface CleanupRequest {
  /** The repository cleaned, as the plan's title names it. */
  image: RepositoryReference;
  /** The retention policy as the user wrote it (validated by {@link compileRetentionPolicy}). */
  policy: RetentionPolicy;
  /** Why the cleanup runs: a schedule, a deleted branch, or a deleted git tag (which deletes nothing). */
  trigger: RetentionMode;
  /** Plan and print only; delete nothing. */
  dryRun: boolean;
  /** The current time; `olderThan` is measured from it. */
  now: Date;
}

/** What a cleanup needs from the outside world. */
export interface CleanupPorts {
  /**
   * The retention backend of the repository (see {@link RetentionBackend}); called only when the
   * repository must be read (never for a deleted git tag).
   */
  backend(): RetentionBackend | Promise<RetentionBackend>;
  /** Progress lines: the plan before the first delete, each deletion. */
  onProgress?(message: string): void;
}

/** What a cleanup read, planned and deleted. */
export interface CleanupReport {
  /** The plan carried out (or, in a dry run, that would be); `skipped` says why nothing was deleted. */
  plan: RetentionPlan;
  /** Things the user should know, in the order they arose (reading, re-planning, the plan's own). */
  warnings: string[];
  /** False when the repository was not read at all (a deleted git tag). */
  read: boolean;
  /** What the re-read just before deleting decided; absent in a dry run or when nothing was to be deleted. */
  replan?: RetentionReplan['decision'];
  /** The deletions made; absent in a dry run or when nothing was deleted. */
  execution?: RetentionExecutionReport;
}

/**
 * Cleans one repository by a retention policy: reads it through the backend, plans (pure
 * {@link planRetention}), adds the referrers of what goes and plans again, prints the plan, then (unless
 * a dry run) reads the tags again, decides with {@link replanAfterChange} whether the plan still holds,
 * and deletes in the plan's safe order, re-reading every tag immediately before and after each delete
 * ({@link executeRetentionPlan}). Any read the plan depends on (tag list, manifests, referrers) that fails
 * or does not parse stops the cleanup before the first delete. A deleted git tag changes nothing and makes
 * no request.
 *
 * @param request - the policy, the trigger, dry run and the clock.
 * @param ports - the retention backend (chosen once by the caller) and a progress callback.
 * @returns the report: the plan, warnings, and the deletions.
 * @throws {@link PartialMutationError} with a {@link RetentionExecutionReport} when a deletion fails part way.
 * @throws {@link RegistryError} or {@link GitHubError} when the repository cannot be read (nothing deleted).
 * @example
 * ```ts
 * const report = await cleanup(
 *   { image: repo, policy: { keep: [{ pattern: 'sha-*', count: 30 }] }, trigger: { mode: 'scheduled' }, dryRun: false, now: new Date() },
 *   { backend: () => registryRetentionBackend({ client, repo }), onProgress: console.log },
 * );
 * ```
 */
export async function cleanup(request: CleanupRequest, ports: CleanupPorts): Promise<CleanupReport> {
  const info = (message: string): void => ports.onProgress?.(message);
  const plan = (inventory: RetentionInventory): RetentionPlan =>
    planRetention({ inventory, policy: request.policy, canUntag: false, now: request.now, ...request.trigger } as RetentionInput);
  if (request.trigger.mode === 'tag-deleted') return { plan: plan({ tags: [] }), warnings: [], read: false };

  const backend = await ports.backend();
  const compiled = compileRetentionPolicy(request.policy);
  const scheduled = request.trigger.mode === undefined || request.trigger.mode === 'scheduled';
  const warnings: string[] = [];
  info(backend.reading);
  const gathered = await backend.gather({
    needsCreated: (tag) => scheduled && isRetentionCandidate(compiled, tag),
    readUntagged: request.policy.deleteUntagged === true,
  });
  warnings.push(...gathered.warnings);
  let inventory = gathered.inventory;
  let result = plan(inventory);
  if (result.delete.length > 0 && backend.withReferrers) {
    // Referrers of what goes (referrers API, or the fallback index): they go with their subject.
    const withReferrers = await backend.withReferrers(inventory, result.delete.map((entry) => entry.digest));
    warnings.push(...withReferrers.warnings);
    inventory = withReferrers.inventory;
    result = plan(inventory);
  }

  // The plan is always printed before the first delete.
  printPlan(info, `Plan for ${formatReference(request.image)}${request.dryRun ? ' (dry run)' : ''}`, result);
  if (request.dryRun || result.delete.length === 0) return { plan: result, warnings: [...warnings, ...result.warnings], read: true };

  const fresh = await backend.refresh(inventory, result);
  const next = replanAfterChange(result, fresh.changed.length > 0 ? plan(fresh.inventory) : result, fresh.changed);
  if (next.decision === 'abort') {
    return { plan: next.plan, warnings: [...warnings, ...result.warnings, next.warning], read: true, replan: next.decision };
  }
  if (next.decision === 'replanned') {
    warnings.push(next.warning);
    printPlan(info, `Plan for ${formatReference(request.image)} after the change`, next.plan);
  }
  result = next.plan;
  const execution = await executeRetentionPlan(result, fresh.target, {
    onDeleted: (done) => {
      info(`Deleted ${done.digest} ${tagList(done.tags)}${done.alreadyAbsent ? ' (already gone)' : ''}`);
      for (const lost of done.lostTags ?? []) {
        warnings.push(
          lost.restored
            ? `tag ${lost.tag} moved onto ${done.digest} while it was being deleted and went with it; put back onto ${done.digest}`
            : `tag ${lost.tag} moved onto ${done.digest} while it was being deleted and went with it; it could not be put back: ${lost.error ?? ''}`,
        );
      }
    },
  });
  if (execution.stopped) {
    warnings.push(
      `stopped before deleting ${execution.notDeleted.length} planned manifest(s): ${execution.stopped.reason}; ` +
        'the next run plans again with the new tags',
    );
  }
  return { plan: result, warnings: [...warnings, ...result.warnings], read: true, replan: next.decision, execution };
}

function printPlan(info: (message: string) => void, title: string, plan: RetentionPlan): void {
  info(`${title}: ${describePlan(plan).summary}`);
  for (const entry of plan.delete) info(`  delete ${entry.digest} ${tagList(entry.tags)}: ${entry.reason}`);
  for (const entry of plan.keep) info(`  keep   ${entry.digest} ${entry.tag ?? '(untagged)'}: ${entry.reason}`);
}

function tagList(tags: readonly string[]): string {
  return tags.length === 0 ? '(untagged)' : tags.join(', ');
}
