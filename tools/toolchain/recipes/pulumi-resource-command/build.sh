#!/usr/bin/env bash
# Builds pulumi-resource-command from pulumi-command's own source at its release tag (the Go proxy refuses its module).
#
# The driver has checked the archive against package.json's sha256 and unpacked it into $SRC. The provider module
# builds with its own go.mod/go.sum (upstream's lock): every dependency is served by the Go module proxy.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}" "${SRC:?SRC must be set}"
export GOWORK=off CGO_ENABLED="${CGO_ENABLED:-0}"
# Upstream's lock is authoritative: a missing checksum is an error, not something to add.
export GOFLAGS="-mod=readonly -buildvcs=false"

cd "$SRC/provider"
echo "step: download modules (upstream go.sum)"
go mod download
echo "step: build pulumi-resource-command $VERSION"
go build -trimpath -o "$OUT/pulumi-resource-command" \
  -ldflags "-s -w -X github.com/pulumi/pulumi-command/provider/pkg/version.Version=$VERSION" \
  ./cmd/pulumi-resource-command
echo "step: done"
