#!/usr/bin/env bash
# Builds Sigstore cosign (github.com/sigstore/cosign/v2/cmd/cosign) from the Go module proxy, as
# upstream's Makefile `cosign` target does: CGO_ENABLED=0, -trimpath, and the version in
# sigs.k8s.io/release-utils/version (gitVersion = the tag, buildDate, gitTreeState=clean). The proxy
# carries no commit hash, so gitCommit keeps its default.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"
pkg=github.com/sigstore/cosign/v2

pinned=$(go list -m -f '{{.Version}}' "$pkg")
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins $pkg $pinned" >&2
  exit 1
fi
# Reproducible build date: SOURCE_DATE_EPOCH if given, else the release commit time from the proxy.
if [[ -n "${SOURCE_DATE_EPOCH:-}" ]]; then
  build_date=$(date -u -d "@${SOURCE_DATE_EPOCH}" +%Y-%m-%dT%H:%M:%SZ)
else
  build_date=$(go list -m -f '{{.Time}}' "$pkg" | sed 's/ +0000 UTC$/Z/; s/ /T/')
fi

v=sigs.k8s.io/release-utils/version
ldflags="-s -w -buildid= -X ${v}.gitVersion=${ver} -X ${v}.gitTreeState=clean -X ${v}.buildDate=${build_date}"

echo "step: download modules"
go mod download
echo "step: build cosign ${ver}"
go build -trimpath -ldflags "$ldflags" -o "$OUT/cosign" "${pkg}/cmd/cosign"
echo "step: done"
