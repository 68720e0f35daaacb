import path from 'node:path';
import { markdownTable } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime } from '@tagwright/action-kit';
import { checkoutRef, classifyRef, createGitRunner } from '@tagwright/core';
import type { CheckoutRefResult, GitRefClassification, GitRunner } from '@tagwright/core';
import type { Inputs } from './options.js';

/** What classify-ref needs from the outside world. */
export interface Deps {
  /** Runs git (argument arrays, no shell). */
  git: GitRunner;
  /** The directory `path` is relative to (the workspace in a workflow). */
  cwd: string;
  info(message: string): void;
}

/** The real deps for a workflow run or the command line. */
export function createDeps(runtime: Pick<ActionRuntime, 'env' | 'info'>): Deps {
  return {
    git: createGitRunner({ env: { ...runtime.env } }),
    cwd: process.cwd(),
    info: (message) => runtime.info(message),
  };
}

/** The classification, and the checkout when one was asked for. */
export interface Resolution {
  /** The absolute working tree. */
  dir: string;
  classification: GitRefClassification;
  checkout?: CheckoutRefResult;
  /** Things the user should know: an ambiguous name resolved by `prefer`, a ref that moved before checkout. */
  warnings: string[];
}

/** Classifies the ref and, when asked, checks it out. Shared by the action and the command line. */
export async function resolveRef(inputs: Inputs, deps: Deps): Promise<Resolution> {
  const dir = path.resolve(deps.cwd, inputs.path);
  const classification = await classifyRef(deps.git, dir, inputs.ref, {
    remote: inputs.remote,
    ...(inputs.prefer ? { prefer: inputs.prefer } : {}),
  });
  deps.info(`${inputs.ref} is ${classification.kind} ${classification.ref} at ${classification.commit} (from ${classification.source === 'remote' ? `remote ${inputs.remote}` : 'the clone'})`);
  const warnings: string[] = [];
  if (classification.ambiguous) {
    warnings.push(
      `${inputs.ref} is both a tag (commit ${classification.ambiguous.tag}) and a branch (commit ${classification.ambiguous.branch}); ` +
        `took the ${classification.kind} as prefer says`,
    );
  }
  if (!inputs.checkout) return { dir, classification, warnings };
  const checkout = await checkoutRef(deps.git, dir, classification, { remote: inputs.remote });
  deps.info(`checked out ${classification.ref} at ${checkout.commit}${checkout.detached ? ' (detached HEAD)' : ` on ${checkout.branch ?? ''}`}`);
  if (checkout.commit !== classification.commit) {
    warnings.push(`${classification.ref} moved from ${classification.commit} to ${checkout.commit} while it was being checked out; checked out ${checkout.commit}`);
  }
  return { dir, classification, checkout, warnings };
}

/**
 * Classifies the ref (and checks it out when asked): outputs `kind`, `commit` (the checked-out
 * commit with `checkout`) and `ref` (fully qualified), with a short summary table.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<ActionResult> {
  const { classification, checkout, warnings } = await resolveRef(inputs, deps);
  const commit = checkout?.commit ?? classification.commit;
  const rows: string[][] = [
    ['Ref', inputs.ref],
    ['Kind', classification.kind],
    ['Qualified ref', classification.ref],
    ['Commit', commit],
    ['Answered by', classification.source === 'remote' ? `remote ${inputs.remote}` : 'the clone'],
  ];
  if (classification.ambiguous) {
    rows.push(['Ambiguous', `tag at ${classification.ambiguous.tag}, branch at ${classification.ambiguous.branch}; prefer ${inputs.prefer ?? ''}`]);
  }
  if (checkout) {
    rows.push(['Checked out', checkout.detached ? 'detached HEAD' : `branch ${checkout.branch ?? ''}`]);
  }
  return {
    outputs: { kind: classification.kind, commit, ref: classification.ref },
    summary: `## classify-ref\n\n${markdownTable(['Field', 'Value'], rows)}`,
    warnings,
  };
}
