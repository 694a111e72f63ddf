#!/usr/bin/env bash
# Builds versitygw, a real S3-compatible server (posix backend), from source with Go,
# once, into a cache directory; the S3 store's tests start it on a loopback port.
# A no-op when the binary of this version is already cached. Prints the binary's path.
#
# Cache: ${EVE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eve-test}/{bin,go}
# (the Go module and build caches live there too, so a CI cache of that one folder
# makes the next build a no-op).
set -euo pipefail

VERSION="${VERSITYGW_VERSION:-v1.8.0}"
CACHE="${EVE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eve-test}"
BIN="$CACHE/bin/versitygw-$VERSION"

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build-s3-server: the S3 store's tests need Go (>= 1.25) to build versitygw from source" >&2
  exit 1
fi

mkdir -p "$CACHE/bin"
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS="-mod=mod" CGO_ENABLED=0
# GOBIN receives the binary under its module name; build into a temp dir and rename, so a
# build that is interrupted never leaves a half-written binary at $BIN.
tmp="$(mktemp -d "$CACHE/bin/.build-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# -p bounds parallel compile jobs: the test machines have 2 cores shared with other work.
GOBIN="$tmp" go install -p "${EVE_GO_BUILD_JOBS:-2}" -trimpath -ldflags "-s -w" \
  "github.com/versity/versitygw/cmd/versitygw@$VERSION" >&2
mv "$tmp/versitygw" "$BIN"
echo "$BIN"
