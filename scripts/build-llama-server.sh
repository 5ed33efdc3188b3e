#!/usr/bin/env bash
# Builds llama.cpp's llama-server (CPU only, static, Release) from the llama.cpp source node-llama-cpp
# ships (node_modules/node-llama-cpp/llama/gitRelease.bundle), for the remote backend's tests. The
# result lives outside the repo, keyed by the llama.cpp version node-llama-cpp names, and is reused
# when present: ${COOP_CACHE_DIR:-~/.cache/coop}/llama-server-<version>/bin/llama-server.
# Installs cmake and a C++ compiler with apt-get when they are missing. Prints the binary's path.
# Takes about 4 minutes on 2 busy cores the first time (247 s measured); a no-op afterwards.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
nlc="$repo/node_modules/node-llama-cpp/llama"
bundle="$nlc/gitRelease.bundle"
info="$nlc/llama.cpp.info.json"
cache_root="${COOP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/coop}"
log() { echo "[llama-server build] $*" >&2; }

if [ ! -f "$bundle" ] || [ ! -f "$info" ]; then
  log "node-llama-cpp's llama.cpp source is missing (no $bundle or $info): run npm ci first"
  exit 1
fi

version="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).tag)' "$info")"
if ! [[ "$version" =~ ^[A-Za-z0-9._-]+$ ]]; then
  log "unexpected llama.cpp tag '$version' in $info"
  exit 1
fi
out="$cache_root/llama-server-$version"
binary="$out/bin/llama-server"

if [ -f "$out/.complete" ] && [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi

missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v c++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || command -v ninja >/dev/null 2>&1 || missing+=(make)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

# The same checkout engine/tinymodel/llamaCppSource.ts makes (a clone of the bundle keyed by its
# sha256, marked complete), so the tiny models and this build share one copy of the source.
bundle_sha="$(sha256sum "$bundle" | cut -c1-16)"
src="$cache_root/llama.cpp-src-$bundle_sha"
if [ ! -f "$src/.coop-complete" ]; then
  log "checking llama.cpp $version out of $bundle"
  mkdir -p "$cache_root"
  src_staging="$src.tmp-$$"
  rm -rf "$src_staging"
  git -c advice.detachedHead=false -c core.autocrlf=false clone --quiet "$bundle" "$src_staging"
  touch "$src_staging/.coop-complete"
  if ! mv -T "$src_staging" "$src" 2>/dev/null; then
    rm -rf "$src_staging"
    [ -f "$src/.coop-complete" ] || { log "could not move the checkout to $src"; exit 1; }
  fi
fi

staging="$out.tmp-$$"
rm -rf "$staging"
mkdir -p "$staging/bin"
trap 'rm -rf "$staging"' EXIT

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)

log "configuring llama.cpp $version (CPU only, no curl/OpenSSL, no web UI download)"
started=$(date +%s)
# BUILD_SHARED_LIBS=OFF: one self-contained binary that still works after the folder is renamed.
# GGML_NATIVE=OFF: a cache restored on another CPU must not die with SIGILL.
# LLAMA_USE_PREBUILT_UI=OFF: the server's web UI would otherwise be downloaded at build time.
cmake -S "$src" -B "$staging/build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF \
  -DGGML_NATIVE=OFF \
  -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF -DGGML_OPENMP=OFF \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF >&2

log "building llama-server with $(nproc) jobs"
cmake --build "$staging/build" --config Release --target llama-server -j"$(nproc)" >&2

built="$(find "$staging/build" -type f -name llama-server -perm -u+x | head -n1)"
[ -n "$built" ] || { log "the build finished without a llama-server binary"; exit 1; }
cp "$built" "$staging/bin/llama-server"
"$staging/bin/llama-server" --version >&2
rm -rf "$staging/build"

elapsed=$(( $(date +%s) - started ))
commit="$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)"
printf '{"llamaCppVersion":"%s","commit":"%s","buildSeconds":%d}\n' "$version" "$commit" "$elapsed" > "$staging/build-info.json"
touch "$staging/.complete"
rm -rf "$out"
mv -T "$staging" "$out"
trap - EXIT
log "built $binary in ${elapsed}s"
echo "$binary"
