#!/usr/bin/env bash
# Builds etcd (go.etcd.io/etcd/server/v3, package main at the module root) and etcdctl
# from the Go module proxy. Upstream's server go.mod maps api/client/pkg to sibling folders;
# outside the monorepo the published modules at the same tag are used instead (plain requires).
# The version string itself is compiled into go.etcd.io/etcd/api/v3/version; upstream only
# adds the git SHA via ldflags, which module zips do not carry.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"

for m in go.etcd.io/etcd/server/v3 go.etcd.io/etcd/api/v3 go.etcd.io/etcd/etcdctl/v3; do
  pinned=$(go list -m -f '{{.Version}}' "$m")
  if [[ "$pinned" != "$ver" ]]; then
    echo "error: VERSION=$VERSION but go.mod resolves $m to $pinned" >&2
    exit 1
  fi
done

ldflags="-s -w"

echo "step: download modules"
go mod download
echo "step: build etcd ${ver}"
go build -trimpath -ldflags "$ldflags" -o "$OUT/etcd" go.etcd.io/etcd/server/v3
echo "step: build etcdctl ${ver}"
go build -trimpath -ldflags "$ldflags" -o "$OUT/etcdctl" go.etcd.io/etcd/etcdctl/v3
echo "step: done"
