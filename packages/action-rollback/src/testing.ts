/**
 * Test support for the rollback tests (not bundled: main.ts does not import it): the inputs of a
 * rollback of `prod` over `prod-{date}-{sha}` history, with nothing else configured.
 *
 * @packageDocumentation
 */
import { ROLLBACK_AUDIT_TEMPLATE } from '@tagwright/core/policy';
import type { RepositoryReference } from '@tagwright/core/registry';
import { compileHistoryGlob, stampTemplateVariants } from './inputs.js';
import type { Inputs } from './inputs.js';

/** The inputs of a plain rollback of `image:prod` (no `also`, no verification, no release), with overrides. */
export function rollbackInputs(image: RepositoryReference, overrides: Partial<Inputs> = {}): Inputs {
  return {
    image,
    track: 'prod',
    history: compileHistoryGlob('prod-*'),
    historyTemplates: stampTemplateVariants('prod-{date}-{sha}'),
    also: [],
    auditTemplate: ROLLBACK_AUDIT_TEMPLATE,
    dryRun: false,
    verification: { required: false, configured: false },
    release: { mode: 'none', notes: { kind: 'commits' }, publishDraft: false, forge: 'auto' },
    registry: { insecureRegistries: [] },
    ...overrides,
  };
}
