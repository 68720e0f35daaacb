import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionNames, brandingProblems, packageActionYml, rootActionYml } from './sync-actions.js';

const root = path.resolve(import.meta.dirname, '..');

describe('root action.yml files', () => {
  it.each(actionNames())('%s/action.yml is in sync with its package', (name) => {
    const packageYml = readFileSync(path.join(root, 'packages', `action-${name}`, 'action.yml'), 'utf8');
    expect(readFileSync(path.join(root, name, 'action.yml'), 'utf8')).toBe(rootActionYml(name, packageYml));
  });
});

describe('README action tables', () => {
  it('match every action.yml', async () => {
    const { readmeFiles, renderTables } = await import('./readme-tables.js');
    for (const file of readmeFiles()) {
      const text = readFileSync(file, 'utf8');
      expect(renderTables(text), file).toBe(text);
    }
  });
});

describe('package action.yml files', () => {
  it.each(actionNames())('packages/action-%s/action.yml has the generated Node.js check and its branding', (name) => {
    const packageYml = readFileSync(path.join(root, 'packages', `action-${name}`, 'action.yml'), 'utf8');
    expect(packageActionYml(name, packageYml)).toBe(packageYml);
    expect(brandingProblems(name, packageYml)).toEqual([]);
  });

  it('reports a missing branding', () => {
    expect(brandingProblems('x', 'name: x\n')).toEqual([
      'packages/action-x/action.yml: branding.icon is missing (a Feather icon name)',
      'packages/action-x/action.yml: branding.color must be one of white, black, yellow, blue, green, orange, red, purple, gray-dark',
    ]);
  });

  it('refuses an action.yml whose run: is not the last key', () => {
    expect(() => packageActionYml('x', 'runs:\n  steps:\n    - run: node x\n      shell: bash\n')).toThrow(/no `run:` key/);
    expect(() => packageActionYml('x', 'runs:\n  steps:\n    - id: run\n      run: node x\n      shell: bash\n')).toThrow(/must be the last key/);
  });
});
