/**
 * The rollback use case: move a track tag back to an earlier build, leaving an audit tag on the
 * replaced one, and mark the releases; every decision is a pure rule in `@tagwright/core/policy`
 * (`planRollback`, `rollbackRerunRefusal`, `auditTagRefusal`). The release side, `prepareRollbackRelease`,
 * is its own entry, `@tagwright/core/rollback/release`, so that the registry path loads no git or release code.
 *
 * @packageDocumentation
 */
export { rollback } from './rollback.js';
export type { RollbackRequest, RollbackPorts, RollbackReport } from './rollback.js';
export type { RollbackReleaseContext, PreparedRollbackRelease, RollbackReleaseResult, RollbackReleaseRequest } from './release.js';
