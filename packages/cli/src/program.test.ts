import { describe, expect, it } from 'vitest';
import { nodeProblem } from './program.js';

describe('nodeProblem', () => {
  it.each(['v20.0.0', 'v20.20.2', 'v22.11.0', 'v24.1.0'])('accepts %s', (version) => {
    expect(nodeProblem(version)).toBeUndefined();
  });

  it.each(['v18.20.4', 'v16.0.0', 'garbage'])('refuses %s, saying what it found and what to do', (version) => {
    expect(nodeProblem(version)).toBe(`tagwright needs Node.js 20 or later, found ${version}: install Node.js 20+ (e.g. the node:20 image) and run it again`);
  });
});
