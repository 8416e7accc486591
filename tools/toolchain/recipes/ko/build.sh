#!/usr/bin/env bash
# Builds ko (github.com/google/ko, main package at the module root) from the Go module proxy. Flags
# follow upstream's .goreleaser.yml: CGO_ENABLED=0, -trimpath, pkg/commands.Version without the v
# (unset, ko would report the wrapper module's "(devel)").
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"
pkg=github.com/google/ko

pinned=$(go list -m -f '{{.Version}}' "$pkg")
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins $pkg $pinned" >&2
  exit 1
fi

ldflags="-s -w -X ${pkg}/pkg/commands.Version=${ver#v}"

echo "step: download modules"
go mod download
echo "step: build ko ${ver}"
go build -trimpath -ldflags "$ldflags" -o "$OUT/ko" "$pkg"
echo "step: done"
