/**
 * The YAML a user copies: every ```yaml block of README.md and packages/*\/README.md, and what it
 * takes to lint one as a workflow (scripts/workflows.test.ts parses each with `yaml` and runs
 * actionlint over it, and over .github/workflows/*.yml).
 *
 * How a snippet becomes a workflow ({@link asWorkflow}), by its shape:
 * - a mapping with `jobs:` is a workflow; without `on:` it gets `on: workflow_dispatch`;
 * - a mapping with `steps:` is a job: it becomes `jobs.snippet` (with `runs-on: ubuntu-24.04` when it
 *   has none);
 * - a sequence is a step list, and a mapping with `uses:` or `run:` is one step: they become the
 *   steps of that job;
 * - a mapping with only `with:` (and `id:`/`name:`/`env:`) is the inputs of the action the README
 *   section is about: it becomes the step `uses: OWNER/tagwright/<action>@v2`;
 * - anything else is an error (a README shows no other YAML).
 * A wrapped snippet's `${{ inputs.<name> }}` are declared as `workflow_dispatch` string inputs.
 *
 * Only a fence whose info string is exactly `yaml` or `yml` is a GitHub workflow snippet. YAML for
 * another CI carries its file name after the language, e.g. ```` ```yaml .gitlab-ci.yml ```` (still
 * highlighted as YAML), and is not linted here: packages/cli/src/readme.test.ts checks its example.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, stringify } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One ```yaml block of a Markdown file. */
export interface YamlSnippet {
  /** Repository-relative file, e.g. `README.md`. */
  file: string;
  /** 1-based line of the first YAML line. */
  line: number;
  text: string;
  /** The action the section is about: the nearest `### <action>` heading, or the package's action. */
  action?: string;
}

/** README.md and each package README.md, repository-relative. */
export function readmeFiles(): string[] {
  const packages = readdirSync(path.join(root, 'packages'))
    .sort()
    .map((dir) => path.join('packages', dir, 'README.md'))
    .filter((file) => existsSync(path.join(root, file)));
  return ['README.md', ...packages];
}

/** Every ```yaml (or ```yml) fenced block of a Markdown text. */
export function yamlSnippets(file: string, markdown: string, actions: string[]): YamlSnippet[] {
  const lines = markdown.split('\n');
  const packageAction = /^packages\/action-([a-z-]+)\//.exec(file)?.[1];
  const snippets: YamlSnippet[] = [];
  let heading: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const h = /^#{2,4} +`?([a-z-]+)`?\s*$/.exec(line);
    if (h) heading = h[1];
    else if (/^#{1,2} /.test(line)) heading = undefined;
    const fence = /^(\s*)```(yaml|yml)\s*$/.exec(line);
    if (!fence) continue;
    const body: string[] = [];
    const start = i + 2;
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ''); i++) body.push((lines[i] ?? '').slice(fence[1]?.length ?? 0));
    const action = packageAction ?? (heading && actions.includes(heading) ? heading : undefined);
    snippets.push({ file, line: start, text: `${body.join('\n')}\n`, ...(action ? { action } : {}) });
  }
  return snippets;
}

/** Every YAML snippet of every README. */
export function readmeSnippets(actions: string[]): YamlSnippet[] {
  return readmeFiles().flatMap((file) => yamlSnippets(file, readFileSync(path.join(root, file), 'utf8'), actions));
}

/**
 * Parses YAML strictly: any error or warning of the `yaml` package throws, naming the file and line.
 *
 * @throws Error `<where>: <message>` for the first problem.
 */
export function parseStrict(text: string, where: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [problem] = [...doc.errors, ...doc.warnings];
  if (problem) throw new Error(`${where}: ${problem.message}`);
  return doc.toJS();
}

type Json = Record<string, unknown>;

/** The workflow a parsed snippet stands for (see the file comment), as YAML text for actionlint. */
export function asWorkflow(snippet: YamlSnippet, parsed: unknown): string {
  const where = `${snippet.file}:${snippet.line}`;
  const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(parsed) && 'jobs' in parsed) {
    return 'on' in parsed ? snippet.text : stringify({ on: 'workflow_dispatch', ...parsed });
  }
  let job: Json;
  if (isObject(parsed) && 'steps' in parsed) job = { 'runs-on': 'ubuntu-24.04', ...parsed };
  else if (Array.isArray(parsed)) job = { 'runs-on': 'ubuntu-24.04', steps: parsed };
  else if (isObject(parsed) && ('uses' in parsed || 'run' in parsed)) job = { 'runs-on': 'ubuntu-24.04', steps: [parsed] };
  else if (isObject(parsed) && 'with' in parsed && Object.keys(parsed).every((key) => ['with', 'id', 'name', 'env'].includes(key))) {
    if (!snippet.action) throw new Error(`${where}: a \`with:\` fragment outside an action's section; say which action it is for`);
    job = { 'runs-on': 'ubuntu-24.04', steps: [{ ...parsed, uses: `OWNER/tagwright/${snippet.action}@v2` }] };
  } else {
    throw new Error(`${where}: not a workflow, job, step list, step or \`with:\` fragment`);
  }
  const inputs = [...new Set([...snippet.text.matchAll(/\binputs\.([A-Za-z_][\w-]*)/g)].map((m) => m[1] as string))];
  const on = inputs.length > 0 ? { workflow_dispatch: { inputs: Object.fromEntries(inputs.map((name) => [name, { type: 'string' }])) } } : 'workflow_dispatch';
  return stringify({ on, jobs: { snippet: job } });
}

/** A `uses: OWNER/tagwright/<action>@<ref>` step of a workflow, with the inputs it gives. */
export interface TagwrightStep {
  job: string;
  action: string;
  ref: string;
  with: string[];
}

/** Every step of a parsed workflow that uses a tagwright action. */
export function tagwrightSteps(workflow: unknown): TagwrightStep[] {
  const steps: TagwrightStep[] = [];
  const jobs = (workflow as { jobs?: Record<string, { steps?: Array<{ uses?: unknown; with?: Record<string, unknown> }> }> }).jobs ?? {};
  for (const [job, spec] of Object.entries(jobs)) {
    for (const step of spec.steps ?? []) {
      const match = typeof step.uses === 'string' ? /^(?:https:\/\/[^/\s]+\/)?OWNER\/tagwright\/([a-z-]+)@(.+)$/.exec(step.uses) : null;
      if (match?.[1] && match[2]) steps.push({ job, action: match[1], ref: match[2], with: Object.keys(step.with ?? {}) });
    }
  }
  return steps;
}

/** The `uses:` lines of a workflow text that are not pinned to a full commit SHA with a `# vX.Y.Z` comment. */
export function unpinnedUses(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^\s*(-\s+)?uses:/.test(line))
    .filter((line) => !/uses:\s*\.\//.test(line))
    .filter((line) => !/uses:\s*[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$/.test(line))
    .map((line) => line.trim());
}

