#!/usr/bin/env bash
# The whole test suite on a fresh machine: setup, build every package (the actions are tested as
# built bundles through their action.yml), then unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm run build
pnpm exec tsc -p tsconfig.json --noEmit
node --import tsx scripts/sync-actions.ts --check
node --import tsx scripts/readme-tables.ts --check
mkdir -p .tmp
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-report.json || status=$?
node scripts/test-summary.mjs .tmp/vitest-report.json || true
exit "$status"
