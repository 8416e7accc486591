#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from
# k8s.io/kubernetes on the Go module proxy (staging modules replaced by their published
# v0.<minor>.<patch> in go.mod). Flags follow upstream hack/lib/golang.sh for a non-debug
# build (-trimpath, -s -w, tags selinux,notest,grpcnotrace, CGO off) and the version
# ldflags of hack/lib/version.sh, set in both k8s.io/component-base/version and
# k8s.io/client-go/pkg/version.
set -euo pipefail
: "${OUT:?OUT must be set}" "${VERSION:?VERSION must be set}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
ver="v${VERSION#v}"

pinned=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
if [[ "$pinned" != "$ver" ]]; then
  echo "error: VERSION=$VERSION but go.mod pins k8s.io/kubernetes $pinned" >&2
  exit 1
fi
staging="v0.${ver#v1.}"   # v1.34.4 -> v0.34.4
got=$(go list -m -f '{{if .Replace}}{{.Replace.Version}}{{end}}' k8s.io/client-go)
if [[ "$got" != "$staging" ]]; then
  echo "error: staging modules must be replaced with $staging (k8s.io/client-go => $got)" >&2
  exit 1
fi

if [[ "$ver" =~ ^v([0-9]+)\.([0-9]+)\. ]]; then
  major=${BASH_REMATCH[1]}; minor=${BASH_REMATCH[2]}
else
  echo "error: cannot parse Kubernetes version $ver" >&2; exit 1
fi
# Reproducible build date: SOURCE_DATE_EPOCH if given, else the release commit time from the proxy.
if [[ -n "${SOURCE_DATE_EPOCH:-}" ]]; then
  build_date=$(date -u -d "@${SOURCE_DATE_EPOCH}" +%Y-%m-%dT%H:%M:%SZ)
else
  build_date=$(date -u -d "$(go list -m -f '{{.Time}}' k8s.io/kubernetes | sed 's/ +0000 UTC$/Z/; s/ /T/')" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null \
    || date -u +%Y-%m-%dT%H:%M:%SZ)
fi

ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X ${p}.gitVersion=${ver} -X ${p}.gitMajor=${major} -X ${p}.gitMinor=${minor}"
  ldflags+=" -X ${p}.buildDate=${build_date}"
done

echo "step: download modules"
go mod download
echo "step: build kube-apiserver, kube-controller-manager, kube-scheduler, kubectl ${ver} (slow)"
go build -trimpath -tags "selinux,notest,grpcnotrace" -ldflags "$ldflags" -o "$OUT/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl
echo "step: done"
