import { actionConfig } from '../action-kit/tsup.action';

// Two entries: the action (dist/index.mjs) and the command line for test drivers (dist/cli.mjs).
// keepNames: the CLI prints error.name (GitRefError, ConfigurationError), which minification would mangle.
export default { ...actionConfig(), entry: { index: 'src/main.ts', cli: 'src/cli.ts' }, keepNames: true };
