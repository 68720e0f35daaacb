import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Options } from 'tsup';

/**
 * The tsup options every action bundle uses: one ESM entry `dist/index.mjs` for node20 with
 * every dependency bundled (`@actions/core` 3 is ESM-only), lazily loaded chunks for heavy paths
 * (sigstore, octokit), and `dist/licenses.txt` naming every bundled package with its licence text.
 */
export function actionConfig(): Options {
  return {
    entry: { index: 'src/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outExtension: () => ({ js: '.mjs' }),
    noExternal: [/.*/],
    splitting: true,
    treeshake: true,
    clean: true,
    minify: true,
    keepNames: true,
    sourcemap: false,
    metafile: true,
    shims: false,
    banner: {
      js: "import { createRequire as __twCreateRequire } from 'node:module'; const require = __twCreateRequire(import.meta.url);",
    },
    esbuildPlugins: [sideEffectFreePlugin(), licensesPlugin()],
  };
}

/**
 * `@actions/core` imports `@actions/http-client` (and through it undici, ~400 KB) only for OIDC
 * tokens, which tagwright never requests. Declaring these modules free of side effects lets
 * esbuild drop them when nothing uses their exports; a path that does use them still bundles them.
 */
function sideEffectFreePlugin() {
  const filter = /^(@actions\/http-client|undici|tunnel)(\/.*)?$/;
  return {
    name: 'tagwright-side-effect-free',
    setup(build: {
      onResolve(
        options: { filter: RegExp },
        callback: (args: { path: string; kind: string; resolveDir: string; pluginData?: unknown }) => Promise<unknown>,
      ): void;
      resolve(path: string, options: { kind: string; resolveDir: string; pluginData?: unknown }): Promise<{ path: string; errors: unknown[] }>;
    }) {
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData === 'tagwright-side-effect-free') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'tagwright-side-effect-free' });
        if (resolved.errors.length > 0) return undefined;
        return { path: resolved.path, sideEffects: false };
      });
    },
  };
}

function licensesPlugin() {
  return {
    name: 'tagwright-licenses',
    setup(build: { onEnd(callback: (result: { metafile?: { inputs: Record<string, unknown> } }) => void): void }) {
      build.onEnd((result) => {
        if (!result.metafile) return;
        const packages = new Map<string, string>();
        for (const input of Object.keys(result.metafile.inputs)) {
          const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
          if (match?.[1] && match[2]) packages.set(match[2], match[1]);
        }
        const sections = [...packages.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, dir]) => {
            const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string; license?: string };
            const licenseFile = readdirSync(dir).find((file) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(file));
            const text = licenseFile ? readFileSync(path.join(dir, licenseFile), 'utf8').trim() : '(no licence file in the package)';
            return `${name}@${manifest.version ?? '?'}\n${manifest.license ?? 'UNKNOWN'}\n${text}\n`;
          });
        if (!existsSync('dist')) mkdirSync('dist', { recursive: true });
        writeFileSync('dist/licenses.txt', sections.join('\n-----\n\n'));
      });
    },
  };
}
