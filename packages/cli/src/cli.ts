#!/usr/bin/env node
/**
 * `tagwright <action> [--<input> <value>…]`: the tagwright actions for any CI. See README.md and
 * `tagwright --help`; exit codes 0 ok, 1 the job failed or refused, 2 usage error.
 */
import manifest from '../package.json' with { type: 'json' };
import { main } from './program.js';

main(process.argv.slice(2), process.env, { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) }, manifest.version).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tagwright: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
