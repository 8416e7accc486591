#!/usr/bin/env bash
# Builds splai-sbom-scanner, the BuildKit SBOM generator (main.go in this folder), on the syft library
# from the Go module proxy, for the machine's own platform (BuildKit runs generators natively).
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"
mod=github.com/anchore/syft

pinned=$(go list -m -f '{{.Version}}' "$mod")
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins $mod $pinned" >&2
  exit 1
fi

echo "step: download modules"
go mod download
echo "step: build splai-sbom-scanner (syft ${ver})"
go build -trimpath -ldflags "-s -w -X main.version=${ver}" -o "$OUT/splai-sbom-scanner" .
echo "step: done"
