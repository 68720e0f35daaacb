// Adds up the `N passed, M failed[, K skipped]` lines of the CI steps into one closing line.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const last = lines.reverse().find((line) => /(\d+) passed, (\d+) failed/.test(line));
  if (!last) continue;
  const [, p, f, s] = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(last) ?? [];
  passed += Number(p);
  failed += Number(f);
  skipped += Number(s ?? 0);
}
console.log(`ci: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
