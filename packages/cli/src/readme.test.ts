import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { ACTIONS, parseActionYml } from './action-spec.js';

const root = path.resolve(import.meta.dirname, '../../..');
const readme = readFileSync(path.join(root, 'packages', 'cli', 'README.md'), 'utf8');
const specs = new Map(ACTIONS.map((name) => [name, parseActionYml(name, readFileSync(path.join(root, 'packages', `action-${name}`, 'action.yml'), 'utf8'))]));

/** The README's GitLab CI example, fenced as `yaml .gitlab-ci.yml` (GitLab YAML, not a GitHub workflow). */
function gitlabExample(): string {
  const match = /^```yaml \.gitlab-ci\.yml\n([\s\S]*?)^```$/m.exec(readme);
  if (!match?.[1]) throw new Error('packages/cli/README.md has no ```yaml .gitlab-ci.yml block');
  return match[1];
}

describe('packages/cli/README.md GitLab CI example', () => {
  const text = gitlabExample();
  const doc = parseDocument(text, { uniqueKeys: true });

  it('parses as YAML without errors or warnings', () => {
    expect([...doc.errors, ...doc.warnings].map((problem) => problem.message)).toEqual([]);
  });

  it('runs build, compute-tags, promote and cleanup', () => {
    const jobs = doc.toJS() as Record<string, { script?: string[] }>;
    expect(Object.keys(jobs)).toEqual(['stages', 'build', 'release', 'cleanup']);
    const commands = Object.values(jobs).flatMap((job) => job.script ?? []).join('\n');
    for (const sub of ['compute-tags', 'promote', 'cleanup']) expect(commands).toContain(`@tagwright/cli@2 ${sub} `);
  });

  it('gives each subcommand only flags its action.yml declares, and every required one', () => {
    const jobs = doc.toJS() as Record<string, { script?: string[] }>;
    const lines = Object.values(jobs).flatMap((job) => job.script ?? []).map((line) => line.replace(/\\\n\s*/g, ' '));
    let checked = 0;
    for (const line of lines) {
      const call = /@tagwright\/cli@2 ([a-z-]+) (.*)/.exec(line);
      if (!call?.[1]) continue;
      const spec = specs.get(call[1] as (typeof ACTIONS)[number]);
      expect(spec, line).toBeDefined();
      const flags = [...(call[2] ?? '').matchAll(/(?:^|\s)--([a-z][a-z-]*)/g)].map((m) => m[1] as string);
      const known = new Set(['summary-file', 'quiet', ...spec!.inputs.flatMap((input) => [input.name, ...(input.boolean ? [`no-${input.name}`] : [])])]);
      expect(flags.filter((flag) => !known.has(flag)), line).toEqual([]);
      expect(spec!.inputs.filter((input) => input.required && !flags.includes(input.name)).map((input) => input.name), line).toEqual([]);
      checked++;
    }
    expect(checked).toBe(3);
  });
});
