#!/usr/bin/env bash
# Installs what tagwright's tests and demo need on a fresh Debian machine with only Node and apt:
# the CNCF distribution registry, skopeo, umoci, htpasswd, openssl, git (apt); pnpm (npm); workspace deps.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.21.0
APT_PACKAGES=(docker-registry skopeo umoci apache2-utils openssl git ca-certificates)
missing=()
for bin in docker-registry skopeo umoci htpasswd openssl git; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages (missing: ${missing[*]})"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  npm install --global --silent "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || npm install --global "pnpm@$PNPM_VERSION"
fi

echo "setup: pnpm install"
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | tail -n 3
