import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionNames, rootActionYml } from './sync-actions.js';

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
