import { runAction } from '@tagwright/action-kit';
import { readInputs } from './inputs.js';
import { createDeps, run } from './run.js';

runAction(async (runtime) => run(readInputs(), createDeps(runtime)));
