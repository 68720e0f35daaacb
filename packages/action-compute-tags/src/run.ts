import { createActionRegistryClient, markdownTable } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime } from '@tagwright/action-kit';
import { computeImageTags } from '@tagwright/core/compute-tags';
import type { ImageTagDecision } from '@tagwright/core/compute-tags';
import type { RegistryClient } from '@tagwright/core/registry';
import type { Inputs } from './inputs.js';
import type { ReservedStagingTag } from './staging.js';

/** What compute-tags needs from the outside world. */
export interface Deps {
  /** A registry client able to reach every image's registry. */
  registryClient(inputs: Inputs): RegistryClient;
  /**
   * Reserves `<base>-staging.N` for the commit through the GitHub API (`staging-counter: true`);
   * `existingTags` are the registry's tags (the counter starts above them). Loaded lazily (octokit).
   */
  reserveStaging(inputs: Inputs & { staging: NonNullable<Inputs['staging']> }, existingTags: string[]): Promise<ReservedStagingTag>;
  now(): Date;
  info(message: string): void;
}

/** The real deps for a workflow run. */
export function createDeps(runtime: ActionRuntime): Deps {
  return {
    registryClient: (inputs) =>
      createActionRegistryClient(inputs.registry, inputs.images.map((image) => image.registry), runtime, {
        userAgent: 'tagwright-compute-tags',
      }),
    reserveStaging: async (inputs, existingTags) =>
      (await import('./staging.js')).reserveStaging(inputs.staging, inputs.sha, existingTags, inputs.tagPrefix, runtime),
    now: () => runtime.now(),
    info: (message) => runtime.info(message),
  };
}

/**
 * Maps the inputs to one core `computeImageTags` (read each repository's tags when registry-aware,
 * apply the tag policy, reserve a staging tag for a branch build) and its report to the outputs and
 * the summary. Writes nothing to a registry.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<ActionResult> {
  const client = inputs.registryAware ? deps.registryClient(inputs) : undefined;
  const { staging } = inputs;
  const report = await computeImageTags(
    {
      images: inputs.images,
      policy: {
        ref: { ref: inputs.ref, sha: inputs.sha, ...(inputs.event !== undefined ? { event: inputs.event } : {}) },
        floating: inputs.floating,
        branchTags: inputs.branchTags,
        ...(inputs.stamp !== undefined ? { stamp: inputs.stamp } : {}),
        shaTag: inputs.shaTag,
        tagPrefix: inputs.tagPrefix,
        registryAware: inputs.registryAware,
      },
      staging: staging !== undefined,
      now: deps.now(),
    },
    {
      ...(client ? { listTags: (image) => client.listTags(image) } : {}),
      ...(staging ? { reserveStaging: (existingTags) => deps.reserveStaging({ ...inputs, staging }, existingTags) } : {}),
      onProgress: deps.info,
    },
  );
  const decisions = report.images;
  const reserved = report.reserved;
  const first = decisions[0]!.result;
  const tags = decisions.flatMap((d) => d.result.tags.map((tag) => `${d.image}:${tag}`));
  const json = {
    version: first.version ?? null,
    isPrerelease: first.isPrerelease,
    isLatest: first.isLatest,
    tags,
    tagNames: report.tagNames,
    images: decisions.map((d) => ({ image: d.image, existingTags: d.existingTags, tags: d.result.tags, decisions: d.result.decisions })),
    reservedTag: reserved?.tag ?? null,
    warnings: report.warnings,
  };
  return {
    outputs: {
      tags: tags.join('\n'),
      'tag-names': report.tagNames.join('\n'),
      version: first.version ?? '',
      'is-prerelease': String(first.isPrerelease),
      'is-latest': String(first.isLatest),
      'reserved-tag': reserved?.tag ?? '',
      json,
    },
    summary: summarize(inputs, decisions, reserved, report.notes),
    warnings: report.warnings,
  };
}

function summarize(inputs: Inputs, decisions: ImageTagDecision[], reserved: ReservedStagingTag | undefined, notes: string[]): string {
  const parts = [`## compute-tags for \`${inputs.ref}\`\n`];
  if (reserved) {
    parts.push(
      `Staging counter: \`${reserved.tag}\` ${reserved.created ? `reserved (attempt ${reserved.attempts})` : 'already reserved for this commit (re-run)'}, base ${reserved.base} from ${reserved.baseFrom}.\n`,
    );
  }
  for (const note of notes) parts.push(`${note}.\n`);
  for (const decision of decisions) {
    parts.push(`### ${decision.image}\n`);
    parts.push(
      decision.existingTags === null
        ? 'Computed from the ref alone (registry-aware: false).\n'
        : `Read ${decision.existingTags} existing tags from the registry.\n`,
    );
    parts.push(
      markdownTable(
        ['tag', 'given', 'why'],
        decision.result.decisions.map((d) => [`\`${d.tag}\``, d.given ? 'yes' : 'no', d.reason]),
      ),
    );
  }
  return parts.join('\n');
}
