#!/usr/bin/env bash
# The main job, end to end, against a real local registry: see README "Demo".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
pnpm run build >&2
node --import tsx scripts/demo.ts "$@"
