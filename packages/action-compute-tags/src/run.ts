import { createActionRegistryClient, markdownTable } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime } from '@tagwright/action-kit';
import { addStagingTags, combineTagNames, computeTags } from '@tagwright/core/policy';
import type { ComputeTagsResult } from '@tagwright/core/policy';
import { formatReference } from '@tagwright/core/registry';
import type { RegistryClient, RepositoryReference } from '@tagwright/core/registry';
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

interface ImageDecision {
  image: string;
  existingTags: number | null;
  result: ComputeTagsResult;
}

/**
 * Computes the tags of a build for every image: reads each repository's tags (when
 * registry-aware) and applies the core tag policy. Writes nothing anywhere.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<ActionResult> {
  const now = deps.now();
  const client = inputs.registryAware ? deps.registryClient(inputs) : undefined;
  const decisions: ImageDecision[] = [];
  const allExisting = new Set<string>();
  for (const image of inputs.images) {
    const existing = client ? await client.listTags(image) : [];
    if (client) deps.info(`${formatReference(image)}: ${existing.length} existing tags`);
    for (const tag of existing) allExisting.add(tag);
    decisions.push({ image: formatReference(image), existingTags: client ? existing.length : null, result: decide(inputs, image, existing, now) });
  }
  let reserved: ReservedStagingTag | undefined;
  const stagingNotes: string[] = [];
  if (inputs.staging) {
    const kind = decisions[0]!.result.kind;
    if (kind === 'branch') {
      reserved = await deps.reserveStaging({ ...inputs, staging: inputs.staging }, [...allExisting]);
      deps.info(`staging counter: ${reserved.created ? 'reserved' : 'reusing'} ${reserved.tag} for ${inputs.sha}`);
      const reason = `${reserved.created ? 'reserved' : 'already reserved for this commit'}: refs/tags/${reserved.tag} (base ${reserved.base} from ${reserved.baseFrom})`;
      for (const decision of decisions) {
        decision.result = addStagingTags(decision.result, { gitTag: reserved.tag, tagPrefix: inputs.tagPrefix, reason });
      }
    } else {
      stagingNotes.push(`staging-counter: no staging tag reserved for a ${kind} build (only branch builds get one)`);
      deps.info(stagingNotes[0]!);
    }
  }
  const first = decisions[0]!.result;
  const combined = combineTagNames(decisions.map((d) => ({ image: d.image, tags: d.result.tags })));
  const tagNames = combined.tagNames;
  const warnings = [...new Set(decisions.flatMap((d) => d.result.warnings)), ...combined.warnings];
  const tags = decisions.flatMap((d) => d.result.tags.map((tag) => `${d.image}:${tag}`));
  const json = {
    version: first.version ?? null,
    isPrerelease: first.isPrerelease,
    isLatest: first.isLatest,
    tags,
    tagNames,
    images: decisions.map((d) => ({ image: d.image, existingTags: d.existingTags, tags: d.result.tags, decisions: d.result.decisions })),
    reservedTag: reserved?.tag ?? null,
    warnings,
  };
  return {
    outputs: {
      tags: tags.join('\n'),
      'tag-names': tagNames.join('\n'),
      version: first.version ?? '',
      'is-prerelease': String(first.isPrerelease),
      'is-latest': String(first.isLatest),
      'reserved-tag': reserved?.tag ?? '',
      json,
    },
    summary: summarize(inputs, decisions, reserved, stagingNotes),
    warnings,
  };
}

function decide(inputs: Inputs, _image: RepositoryReference, existingTags: string[], now: Date): ComputeTagsResult {
  return computeTags({
    ref: { ref: inputs.ref, sha: inputs.sha, ...(inputs.event !== undefined ? { event: inputs.event } : {}) },
    existingTags,
    floating: inputs.floating,
    branchTags: inputs.branchTags,
    ...(inputs.stamp !== undefined ? { stamp: inputs.stamp } : {}),
    shaTag: inputs.shaTag,
    tagPrefix: inputs.tagPrefix,
    registryAware: inputs.registryAware,
    now,
  });
}

function summarize(inputs: Inputs, decisions: ImageDecision[], reserved: ReservedStagingTag | undefined, notes: string[]): string {
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
