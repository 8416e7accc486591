#!/usr/bin/env bash
# Builds the Pulumi CLI (`pulumi`) from the Go module proxy through the wrapper
# module in this folder (go.mod / go.sum / tools.go): release flags of upstream
# (-trimpath, tags osusergo,grpcnotrace, version injected via ldflags).
set -euo pipefail

: "${OUT:?OUT must be set}"
: "${VERSION:?VERSION must be set}"

export CGO_ENABLED="${CGO_ENABLED:-0}"
export GOFLAGS="${GOFLAGS:--mod=mod -buildvcs=false}"

# The version this folder pins (github.com/pulumi/pulumi/pkg/v3 in go.mod).
pinned="$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)"
if [ "v${VERSION}" != "${pinned}" ]; then
	echo "error: VERSION=${VERSION} but this folder pins github.com/pulumi/pulumi/pkg/v3 ${pinned};" >&2
	echo "       set toolchain.tools.pulumi.version to ${pinned#v} (or re-pin go.mod/go.sum)." >&2
	exit 1
fi

ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${VERSION}"
tags="osusergo,grpcnotrace"

echo "step: build pulumi v${VERSION}"
go build -trimpath -tags "${tags}" -ldflags "${ldflags}" \
	-o "${OUT}/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

echo "step: check"
"${OUT}/pulumi" version
