#!/usr/bin/env bash
# Builds pulumi-resource-github from pulumi-github's own source at its release tag (the Go proxy refuses its module).
#
# The archive holds provider/ and the terraform-provider-github tree the release was built from (upstream/, which
# provider/go.mod replaces in with ../upstream), so the provider builds with upstream's own go.mod/go.sum. As in
# upstream's Makefile, the embedded schema (schema-embed.json, not committed) is generated with VERSION set first.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}" "${SRC:?SRC must be set}"
export GOWORK=off CGO_ENABLED="${CGO_ENABLED:-0}"
export GOFLAGS="-mod=readonly -buildvcs=false"

cd "$SRC/provider"
echo "step: download modules (upstream go.sum)"
go mod download
echo "step: generate the embedded schema (VERSION=$VERSION)"
(cd cmd/pulumi-resource-github && VERSION="$VERSION" go generate main.go)
[[ -s cmd/pulumi-resource-github/schema-embed.json ]] || { echo "error: go generate did not write schema-embed.json" >&2; exit 1; }
echo "step: build pulumi-resource-github $VERSION (the Terraform provider and bridge; slow)"
go build -trimpath -o "$OUT/pulumi-resource-github" \
  -ldflags "-s -w -X github.com/pulumi/pulumi-github/provider/v6/pkg/version.Version=$VERSION" \
  github.com/pulumi/pulumi-github/provider/v6/cmd/pulumi-resource-github
echo "step: done"
