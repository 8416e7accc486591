#!/usr/bin/env bash
# Builds BuildKit's buildkitd and buildctl from the Go module proxy, as upstream's Dockerfile
# does: CGO_ENABLED=0, buildkitd with tags "osusergo netgo static_build seccomp", and the
# version.{Version,Revision,Package} ldflags. buildkitd's OCI worker runs containers with
# `runc` from PATH (Debian's `runc` package); FROM scratch + COPY builds never start one.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"
pkg=github.com/moby/buildkit

pinned=$(go list -m -f '{{.Version}}' "$pkg")
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins $pkg $pinned" >&2
  exit 1
fi

ldflags="-s -w -X ${pkg}/version.Version=${ver} -X ${pkg}/version.Package=${pkg}"

echo "step: download modules"
go mod download
echo "step: build buildctl ${ver}"
go build -trimpath -ldflags "$ldflags" -o "$OUT/buildctl" "${pkg}/cmd/buildctl"
echo "step: build buildkitd ${ver}"
go build -trimpath -tags "osusergo netgo static_build seccomp" -ldflags "$ldflags" \
  -o "$OUT/buildkitd" "${pkg}/cmd/buildkitd"
echo "step: done"
