#!/usr/bin/env bash
# Builds the CNCF Distribution registry (github.com/distribution/distribution/v3/cmd/registry)
# from the Go module proxy. ldflags follow upstream's Makefile/Dockerfile (version.version,
# version.mainpkg). TLS and htpasswd auth are configured at run time by the platform script.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"
pkg=github.com/distribution/distribution/v3

pinned=$(go list -m -f '{{.Version}}' "$pkg")
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins $pkg $pinned" >&2
  exit 1
fi

ldflags="-s -w -X ${pkg}/version.version=${ver} -X ${pkg}/version.mainpkg=${pkg}"

echo "step: download modules"
go mod download
echo "step: build registry ${ver}"
go build -trimpath -ldflags "$ldflags" -o "$OUT/registry" "${pkg}/cmd/registry"
echo "step: done"
