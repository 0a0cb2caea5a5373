#!/usr/bin/env bash
# Entry point of every `npm run` command that needs the toolchain: installs what is missing, then
# runs scripts/<command>.ts on Node 22.
#
# Hardhat 3 needs Node >= 22.13 while machines may only have Node 20, so Node 22 itself comes from
# npm (the `node` package, a devDependency). npm must run on Node 22 during install or it silently
# skips Hardhat's native EDR package, hence the `npx --package node@...` for the first install.
set -euo pipefail
cd "$(dirname "$0")/.."

command="${1:?usage: scripts/bootstrap.sh <command> [args...]}"
shift

node_version="$(sed -n 's/.*"node": "\([0-9.]*\)".*/\1/p' package.json | head -n 1)"
local_node="node_modules/.bin/node"

needs_install() {
  [ -x "$local_node" ] || return 0
  [ -d node_modules/@nomicfoundation/edr-linux-x64-gnu ] || [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ] || return 0
  # package.json or the lockfile changed since the last install
  [ node_modules/.package-lock.json -nt package-lock.json ] || return 0
  [ node_modules/.package-lock.json -nt package.json ] || return 0
  return 1
}

if needs_install; then
  echo "Installing dependencies (Node ${node_version} from npm, Hardhat, solc-js)..."
  export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
  if [ -x "$local_node" ]; then
    PATH="$PWD/node_modules/.bin:$PATH" npm install --no-audit --no-fund
  else
    npx --yes --package "node@${node_version}" -- npm install --no-audit --no-fund
  fi
  touch node_modules/.package-lock.json
fi

export PATH="$PWD/node_modules/.bin:$PATH"
export HARDHAT_DISABLE_TELEMETRY=true NEXT_TELEMETRY_DISABLED=1 GRAPH_SKIP_NEW_VERSION_CHECK=true
exec node_modules/.bin/tsx "scripts/${command}.ts" "$@"
