// Curated exports of the promote module.
export { promote } from './promote.js';
export type { PromoteOptions, PromoteReport, TargetReport, CopyFigures, CopyImage } from './promote.js';
