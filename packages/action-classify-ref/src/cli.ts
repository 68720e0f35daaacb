#!/usr/bin/env node
/**
 * tagwright-classify-ref: the command line of classify-ref, for test drivers in any language.
 *
 *   tagwright-classify-ref --ref v1.2.3 [--path .] [--remote origin] [--checkout] [--prefer tag|branch]
 *
 * Prints `{"kind","commit","ref","source",...}` as JSON on stdout and exits 0; on failure prints
 * `{"error":{"name","code","message"}}` on stderr and exits 1.
 */
import { parseArgs } from 'node:util';
import { errorMessage, redact } from '@tagwright/core';
import { validateInputs } from './options.js';
import { createDeps, resolveRef } from './run.js';

const usage = `usage: tagwright-classify-ref --ref <ref> [--path <dir>] [--remote <name>] [--checkout] [--prefer tag|branch]

Classifies <ref> (refs/tags/X, refs/heads/X, a bare name, or a commit SHA) in the clone at <dir>
(default .), asking <remote> (default origin) when the clone is shallow or lacks it, and prints
{"kind","commit","ref","source"} as JSON. --checkout also checks it out: tags and SHAs detached,
branches reset to the remote's. --ref defaults to $GITHUB_REF.
`;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      ref: { type: 'string' },
      path: { type: 'string' },
      remote: { type: 'string' },
      checkout: { type: 'boolean', default: false },
      prefer: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const ref = values.ref ?? env.GITHUB_REF;
  const inputs = validateInputs(
    {
      ...(ref !== undefined ? { ref } : {}),
      ...(values.path !== undefined ? { path: values.path } : {}),
      ...(values.remote !== undefined ? { remote: values.remote } : {}),
      ...(values.prefer !== undefined ? { prefer: values.prefer } : {}),
      checkout: values.checkout,
    },
    (name) => `--${name}`,
  );
  const deps = createDeps({ env, info: (message) => process.stderr.write(`${redact(message)}\n`) });
  const { classification, checkout, warnings } = await resolveRef(inputs, deps);
  for (const warning of warnings) process.stderr.write(`warning: ${redact(warning)}\n`);
  const output = {
    kind: classification.kind,
    commit: checkout?.commit ?? classification.commit,
    ref: classification.ref,
    source: classification.source,
    ...(classification.ambiguous ? { ambiguous: classification.ambiguous } : {}),
    ...(checkout ? { checkout } : {}),
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
  return 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const name = error instanceof Error ? error.name : 'Error';
    const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : undefined;
    process.stderr.write(`${JSON.stringify({ error: { name, ...(code ? { code } : {}), message: redact(errorMessage(error)) } })}\n`);
    process.exitCode = 1;
  },
);
