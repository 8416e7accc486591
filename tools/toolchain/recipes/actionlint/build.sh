#!/usr/bin/env bash
# Builds actionlint (github.com/rhysd/actionlint/cmd/actionlint) from the Go module proxy, with the
# version ldflag of upstream's release build (otherwise it reports the wrapper module's version).
# actionlint runs shellcheck on `run:` scripts when it finds it; the toolchain installs Debian's.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"
mod=github.com/rhysd/actionlint

pinned=$(go list -m -f '{{.Version}}' "$mod")
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins $mod $pinned" >&2
  exit 1
fi

echo "step: download modules"
go mod download
echo "step: build actionlint ${ver}"
go build -trimpath -ldflags "-s -w -X ${mod}.version=${VERSION#v}" -o "$OUT/actionlint" "${mod}/cmd/actionlint"
echo "step: done"
