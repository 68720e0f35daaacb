#!/usr/bin/env bash
# The Forgejo release flow, end to end, against the Forgejo API double and a Forgejo-style registry:
# see README "Forgejo". Prints SKIPPED when ../shared (Forgejo's API description) is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
pnpm run build >&2
node --import tsx scripts/demo-forgejo.ts "$@"
