#!/usr/bin/env bash
# Builds GoReleaser (github.com/goreleaser/goreleaser/v2, main package at the module root) from the
# Go module proxy. Flags follow upstream's .goreleaser.yaml (CGO_ENABLED=0, -trimpath, main.version
# without the v, main.date); the proxy carries no commit hash, so main.commit stays empty.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"
pkg=github.com/goreleaser/goreleaser/v2

pinned=$(go list -m -f '{{.Version}}' "$pkg")
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins $pkg $pinned" >&2
  exit 1
fi
# Build date: the release commit time the proxy records (reproducible).
date=$(go list -m -f '{{.Time}}' "$pkg" | sed 's/ +0000 UTC$/Z/; s/ /T/')

ldflags="-s -w -X main.version=${ver#v} -X main.date=${date} -X main.builtBy=splai-release"

echo "step: download modules"
go mod download
echo "step: build goreleaser ${ver} (slow)"
go build -trimpath -ldflags "$ldflags" -o "$OUT/goreleaser" "$pkg"
echo "step: done"
