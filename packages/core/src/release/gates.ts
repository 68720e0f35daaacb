/** One gate of a two-phase release, as the summary shows it. */
export interface GateResult {
  /** `draft`, `require-release`, `changelog-final`. */
  gate: string;
  passed: boolean;
  reason: string;
}

/** The facts {@link evaluateReleaseGates} decides on, read before any write. */
export interface GateFacts {
  /** The `publish-draft` gate: the release of `tag`, when it exists. */
  draft?: { tag: string; existing?: { draft: boolean }; repository?: string; createWithoutDraft?: boolean };
  /** The `require-release` gate: the rendered tag, whether it must be a prerelease, the release found. */
  requireRelease?: { tag: string; prerelease: boolean; found?: { draft: boolean; prerelease: boolean } };
  /** The `changelog-final` gate's verdict. */
  changelog?: { passed: boolean; reason: string };
}

/**
 * Decides the two-phase release gates from facts read before any write. Pure.
 *
 * - `draft`: the draft release exists (an already published one passes: a re-run publishes nothing;
 *   without a draft it passes only when `createWithoutDraft`, i.e. `release: published` creates it);
 * - `require-release`: another release exists (e.g. `1.5.0-smoke`), a published prerelease when so required;
 * - `changelog-final`: the changelog section is final ({@link changelogSectionFinal}).
 *
 * @returns one result per configured gate, in that order.
 */
export function evaluateReleaseGates(facts: GateFacts): GateResult[] {
  const results: GateResult[] = [];
  if (facts.draft) {
    const { tag, existing, repository, createWithoutDraft } = facts.draft;
    results.push(
      existing === undefined
        ? createWithoutDraft
          ? { gate: 'draft', passed: true, reason: `no draft of ${tag}: the release is created (release: published)` }
          : { gate: 'draft', passed: false, reason: `${repository ?? 'the repository'} has no release of tag ${tag}; create one with release: draft first, or use release: published` }
        : { gate: 'draft', passed: true, reason: existing.draft ? `the draft of ${tag} exists` : `${tag} is already published (nothing to publish)` },
    );
  }
  if (facts.requireRelease) {
    const { tag, prerelease, found } = facts.requireRelease;
    if (!found) results.push({ gate: 'require-release', passed: false, reason: `no release ${tag}` });
    else if (found.draft) results.push({ gate: 'require-release', passed: false, reason: `${tag} is still a draft` });
    else if (prerelease && !found.prerelease) results.push({ gate: 'require-release', passed: false, reason: `${tag} exists but is not a prerelease` });
    else results.push({ gate: 'require-release', passed: true, reason: `${tag} exists${found.prerelease ? ' (prerelease)' : ''}` });
  }
  if (facts.changelog) results.push({ gate: 'changelog-final', ...facts.changelog });
  return results;
}
