#!/usr/bin/env bash
# Builds the Versity S3 gateway (github.com/versity/versitygw/cmd/versitygw; S3 API over a posix
# directory and other backends) from the Go module proxy. Flags follow upstream's .goreleaser.yml
# (CGO_ENABLED=0; main.Version without the v, main.BuildTime); the proxy carries no commit hash, so
# main.Build keeps its default.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"
pkg=github.com/versity/versitygw

pinned=$(go list -m -f '{{.Version}}' "$pkg")
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins $pkg $pinned" >&2
  exit 1
fi
# Build time: the release commit time the proxy records (reproducible).
date=$(go list -m -f '{{.Time}}' "$pkg" | sed 's/ +0000 UTC$/Z/; s/ /T/')

ldflags="-s -w -X main.Version=${ver#v} -X main.BuildTime=${date}"

echo "step: download modules"
go mod download
echo "step: build versitygw ${ver}"
go build -trimpath -ldflags "$ldflags" -o "$OUT/versitygw" "${pkg}/cmd/versitygw"
echo "step: done"
