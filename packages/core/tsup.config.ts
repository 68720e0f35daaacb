import { defineConfig } from 'tsup';

const modules = ['grammar', 'registry', 'semver', 'policy', 'changelog', 'git', 'github', 'forgejo', 'sigstore', 'retention', 'promote', 'cleanup', 'release', 'rollback', 'compute-tags'];

// The library build: the barrel plus one entry per module, so that consumers (the action bundles)
// can import `@tagwright/core/registry` without reaching sigstore or octokit.
export default defineConfig({
  entry: ['src/index.ts', 'src/errors.ts', 'src/redact.ts', 'src/sigstore/storage.ts', 'src/rollback/release.ts', ...modules.map((name) => `src/${name}/index.ts`)],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
});
