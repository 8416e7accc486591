#!/usr/bin/env bash
# Builds the Helm v3 CLI (helm.sh/helm/v3/cmd/helm) from the Go module proxy.
# ldflags follow upstream's Makefile (internal/version.*, k8s version for lint/chartutil).
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"

pinned=$(go list -m -f '{{.Version}}' helm.sh/helm/v3)
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins helm.sh/helm/v3 $pinned" >&2
  exit 1
fi

# Kubernetes version Helm reports for .Capabilities (upstream: from k8s.io/client-go v0.X.Y -> 1.X).
k8s=$(go list -m -f '{{.Version}}' k8s.io/client-go)   # e.g. v0.35.1
k8s=${k8s#v}; k8s_major=$(( ${k8s%%.*} + 1 )); k8s_minor=$(echo "$k8s" | cut -d. -f2)

ldflags="-s -w"
ldflags+=" -X helm.sh/helm/v3/internal/version.version=${ver}"
ldflags+=" -X helm.sh/helm/v3/internal/version.metadata="
ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=${k8s_major}"
ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${k8s_minor}"
ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=${k8s_major}"
ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${k8s_minor}"

echo "step: download modules"
go mod download
echo "step: build helm ${ver}"
go build -trimpath -ldflags "$ldflags" -o "$OUT/helm" helm.sh/helm/v3/cmd/helm
echo "step: done"
