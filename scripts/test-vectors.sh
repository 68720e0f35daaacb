#!/usr/bin/env bash
# Runs the real-world Sigstore vectors from ../shared/fixtures/sigstore through the core verifier.
# Prints a clear SKIPPED line (exit 0) when ../shared is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
pnpm run test:vectors
