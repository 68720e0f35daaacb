/**
 * Keeps the inputs/outputs tables in README.md and each action package's README.md true to its
 * action.yml. Tables live between `<!-- action-table:<name> -->` and `<!-- /action-table -->`.
 *
 *   node --import tsx scripts/readme-tables.ts          rewrite the tables
 *   node --import tsx scripts/readme-tables.ts --check  exit 1 when a table is stale
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { actionNames } from './sync-actions.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface ActionYml {
  inputs?: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs?: Record<string, { description?: string }>;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').trim();

/** The Markdown tables of an action's inputs and outputs. */
export function actionTables(name: string): string {
  const yml = parse(readFileSync(path.join(root, 'packages', `action-${name}`, 'action.yml'), 'utf8')) as ActionYml;
  const inputs = Object.entries(yml.inputs ?? {}).map(
    ([input, spec]) => `| \`${input}\` | ${spec.required ? 'yes' : 'no'} | ${spec.default ? `\`${cell(String(spec.default))}\`` : ''} | ${cell(spec.description ?? '')} |`,
  );
  const outputs = Object.entries(yml.outputs ?? {}).map(([output, spec]) => `| \`${output}\` | ${cell(spec.description ?? '')} |`);
  return [
    '| input | required | default | description |',
    '| --- | --- | --- | --- |',
    ...inputs,
    '',
    '| output | description |',
    '| --- | --- |',
    ...outputs,
  ].join('\n');
}

/** Rewrites every marked table in `text`; returns the new text. */
export function renderTables(text: string): string {
  return text.replace(
    /<!-- action-table:([a-z-]+) -->[\s\S]*?<!-- \/action-table -->/g,
    (_, name: string) => `<!-- action-table:${name} -->\n${actionTables(name)}\n<!-- /action-table -->`,
  );
}

/** The READMEs that carry tables. */
export function readmeFiles(): string[] {
  return [path.join(root, 'README.md'), ...actionNames().map((name) => path.join(root, 'packages', `action-${name}`, 'README.md'))].filter(
    (file) => existsSync(file),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const file of readmeFiles()) {
    const text = readFileSync(file, 'utf8');
    const rendered = renderTables(text);
    if (rendered === text) continue;
    if (check) {
      console.error(`${path.relative(root, file)}: action tables are stale (node --import tsx scripts/readme-tables.ts)`);
      stale++;
    } else {
      writeFileSync(file, rendered);
      console.log(`updated ${path.relative(root, file)}`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}
