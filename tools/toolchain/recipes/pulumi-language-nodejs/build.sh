#!/usr/bin/env bash
# Builds the engine's own Node.js language host, pulumi-language-nodejs, from pulumi's source at its release tag.
#
# Its module is served only as pseudo-versions the Go proxy refuses, and its go.mod replaces pkg/v3 and sdk/v3 with
# folders of the pulumi repository that the archive does not carry. host.go.mod/host.go.sum are that go.mod with the
# two local replaces dropped and pkg/sdk required at the host's own release from the proxy (`go mod tidy` once), so
# the build is locked. Flags as pulumi's release build: -trimpath, tags osusergo,grpcnotrace, the version by -X.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}" "${SRC:?SRC must be set}"
export GOWORK=off CGO_ENABLED="${CGO_ENABLED:-0}"
export GOFLAGS="-mod=readonly -buildvcs=false"

host="$SRC/sdk/nodejs/cmd/pulumi-language-nodejs"
pinned=$(sed -n 's/^\tgithub.com\/pulumi\/pulumi\/sdk\/v3 \(v[^ ]*\)$/\1/p' host.go.mod)
if [[ "$pinned" != "v$VERSION" ]]; then
  echo "error: VERSION=$VERSION but host.go.mod pins github.com/pulumi/pulumi/sdk/v3 $pinned; re-lock it (see the comment above)" >&2
  exit 1
fi
cp host.go.mod "$host/go.mod"
cp host.go.sum "$host/go.sum"
cd "$host"
echo "step: download modules (locked)"
go mod download
echo "step: build pulumi-language-nodejs v$VERSION"
go build -trimpath -tags osusergo,grpcnotrace -o "$OUT/pulumi-language-nodejs" \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION" .
echo "step: done"
