#!/usr/bin/env bash
# Builds llama.cpp's llama-server and llama-quantize (CPU only, static, Release) from the llama.cpp
# source node-llama-cpp ships (node_modules/node-llama-cpp/llama/gitRelease.bundle): llama-server for
# the remote backend's tests, llama-quantize as the reference for Coop's k-quant encoders (tests and
# the merge bench). The results live outside the repo, keyed by the llama.cpp version node-llama-cpp
# names, and are reused when present: ${COOP_CACHE_DIR:-~/.cache/coop}/llama-server-<version>/bin/.
# Installs cmake and a C++ compiler with apt-get when they are missing. Prints the binaries' paths,
# one a line. Takes about 4 minutes on 2 busy cores the first time (247 s measured; llama-quantize adds
# little, it shares the libraries); a no-op afterwards. A folder built before llama-quantize was added
# gets only the missing binary, which rebuilds the libraries once (2850 s measured on 2 cores shared
# with a dozen other jobs).
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
tools=(llama-server llama-quantize)

wanted=()
for tool in "${tools[@]}"; do
  [ -f "$out/.complete" ] && [ -x "$out/bin/$tool" ] || wanted+=("$tool")
done
print_paths() { for tool in "${tools[@]}"; do echo "$out/bin/$tool"; done; }
if [ ${#wanted[@]} -eq 0 ]; then
  print_paths
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

# A complete folder gains the missing binaries in place (each renamed in whole); otherwise the folder
# is built aside and renamed in whole.
if [ -f "$out/.complete" ]; then
  dest="$out"
  staging=""
else
  staging="$out.tmp-$$"
  dest="$staging"
  rm -rf "$staging"
fi
build="$out.build-$$"
rm -rf "$build"
mkdir -p "$dest/bin"
trap 'rm -rf "$build" ${staging:+"$staging"}' EXIT

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)

log "configuring llama.cpp $version (CPU only, no curl/OpenSSL, no web UI download)"
started=$(date +%s)
# BUILD_SHARED_LIBS=OFF: one self-contained binary that still works after the folder is renamed.
# GGML_NATIVE=OFF: a cache restored on another CPU must not die with SIGILL.
# LLAMA_USE_PREBUILT_UI=OFF: the server's web UI would otherwise be downloaded at build time.
cmake -S "$src" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF \
  -DGGML_NATIVE=OFF \
  -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF -DGGML_OPENMP=OFF \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF >&2

log "building ${wanted[*]} with $(nproc) jobs"
cmake --build "$build" --config Release --target "${wanted[@]}" -j"$(nproc)" >&2

for tool in "${wanted[@]}"; do
  built="$(find "$build" -type f -name "$tool" -perm -u+x | head -n1)"
  [ -n "$built" ] || { log "the build finished without a $tool binary"; exit 1; }
  cp "$built" "$dest/bin/.$tool.tmp-$$"
  mv -f "$dest/bin/.$tool.tmp-$$" "$dest/bin/$tool"
done
"$dest/bin/llama-server" --version >&2
rm -rf "$build"

elapsed=$(( $(date +%s) - started ))
commit="$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)"
# An added binary gets its own record, so the folder's first build-info.json stays as it was.
info_file="$dest/build-info.json"
[ -n "$staging" ] || info_file="$dest/build-info-$(IFS=-; echo "${wanted[*]}").json"
printf '{"llamaCppVersion":"%s","commit":"%s","built":"%s","buildSeconds":%d}\n' \
  "$version" "$commit" "${wanted[*]}" "$elapsed" > "$info_file"
if [ -n "$staging" ]; then
  touch "$staging/.complete"
  rm -rf "$out"
  mv -T "$staging" "$out"
fi
trap - EXIT
log "built ${wanted[*]} in ${elapsed}s"
print_paths
