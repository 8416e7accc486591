#!/usr/bin/env bash
# Builds the kwok controller (sigs.k8s.io/kwok/cmd/kwok) from the Go module proxy, with the
# version ldflag of upstream's hack/releases.sh. The standalone controller has no built-in
# stages (only kwokctl injects them), so the default "fast" stages that kwokctl uses
# (node-initialize, node-heartbeat-with-lease, pod-ready/complete/delete) are copied from the
# module source into $OUT/kwok-stages.yaml; pass it with `kwok --config <that file>`.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"
mod=sigs.k8s.io/kwok

pinned=$(go list -m -f '{{.Version}}' "$mod")
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins $mod $pinned" >&2
  exit 1
fi

ldflags="-s -w -X ${mod}/pkg/consts.Version=${ver}"

echo "step: download modules"
go mod download
echo "step: build kwok ${ver}"
go build -trimpath -ldflags "$ldflags" -o "$OUT/kwok" "${mod}/cmd/kwok"

echo "step: collect default stages"
dir=$(go list -m -f '{{.Dir}}' "$mod")
{
  first=1
  for f in node/fast/node-initialize.yaml \
           node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [[ $first == 1 ]] || echo "---"
    first=0
    echo "# from ${mod}@${ver} kustomize/stage/${f}"
    cat "$dir/kustomize/stage/$f"
  done
} > "$OUT/kwok-stages.yaml"
chmod 0644 "$OUT/kwok-stages.yaml"
echo "step: done"
