#!/usr/bin/env bash
# Builds the Pulumi docker-build resource plugin (pulumi-resource-docker-build) from the Go
# module proxy. Flags follow upstream's .goreleaser.yml: CGO_ENABLED=0, -s -w and
# -X github.com/pulumi/pulumi-docker-build/provider.Version=v<version> (the release tag, with "v").
# buildx and BuildKit are linked in as libraries. pulumi-java and pulumi-language-dotnet are
# replaced by the local stubs/ (see go.mod): the proxy refuses them and the provider needs
# only one schema struct from each.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED=0
ver="v${VERSION#v}"
mod=github.com/pulumi/pulumi-docker-build

pinned=$(go list -m -f '{{.Version}}' "$mod")
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins $mod $pinned" >&2
  exit 1
fi

echo "step: download modules"
go mod download
echo "step: build pulumi-resource-docker-build ${ver} (buildx + BuildKit as libraries; slow)"
go build -trimpath -ldflags "-s -w -X ${mod}/provider.Version=${ver}" \
  -o "$OUT/pulumi-resource-docker-build" "${mod}/provider/cmd/pulumi-resource-docker-build"
echo "step: done"
