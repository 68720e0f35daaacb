import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS, parseActionYml, stepEnv } from './action-spec.js';

const root = path.resolve(import.meta.dirname, '../../..');
const read = (name: string) => readFileSync(path.join(root, 'packages', `action-${name}`, 'action.yml'), 'utf8');

describe('parseActionYml', () => {
  describe.each(ACTIONS)('%s/action.yml', (name) => {
    const spec = parseActionYml(name, read(name));

    it('maps every input to the INPUT_<NAME> variable @actions/core reads', () => {
      const env = stepEnv(spec, Object.fromEntries(spec.inputs.map((input) => [input.name, `value of ${input.name}`])));
      for (const input of spec.inputs) expect(env[`INPUT_${input.name.toUpperCase()}`]).toBe(`value of ${input.name}`);
    });

    it('reads every output from the composite step', () => {
      expect(spec.outputs.length).toBeGreaterThan(0);
      for (const output of spec.outputs) expect(output.step).toBe(spec.stepId);
    });
  });

  it('reads the github.<field> of an expression default, and marks true/false defaults as boolean', () => {
    const spec = parseActionYml('compute-tags', read('compute-tags'));
    expect(spec.inputs.find((input) => input.name === 'sha')).toMatchObject({ contextDefault: 'sha', boolean: false });
    const promote = parseActionYml('promote', read('promote'));
    // promote's sha is empty by default: the image's revision label, else the CI commit, in the action.
    expect(promote.inputs.find((input) => input.name === 'sha')).toMatchObject({ default: '', boolean: false });
    expect(promote.inputs.find((input) => input.name === 'sha')?.contextDefault).toBeUndefined();
    expect(promote.inputs.find((input) => input.name === 'dry-run')).toMatchObject({ default: 'false', boolean: true });
  });

  it('refuses an action.yml it cannot follow, naming what', () => {
    const yml = ['runs:', '  using: composite', '  steps:', '    - id: run', '      env:', '        INPUT_X: ${{ github.token }}', ''].join('\n');
    expect(() => parseActionYml('x', yml)).toThrow('read x/action.yml: step env INPUT_X: ${{ github.token }} is not ${{ inputs.<declared input> }}');
  });
});
