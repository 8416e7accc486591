#!/usr/bin/env bash
# Builds pulumi-resource-kubernetes (Pulumi Kubernetes provider plugin) offline.
#
# The provider's main package embeds schema-embed.json and terraform-mapping-embed.json,
# which upstream generates at build time (`go generate` -> generate.go) and which are
# therefore missing from the module zip. So, like upstream's `make k8sprovider`:
#   1. fetch the pinned provider module (checked against go.sum),
#   2. copy it to $WORK/provider, with the release's Go SDK next to it as $WORK/sdk
#      (upstream's go.mod says `replace .../sdk/v4 => ../sdk`),
#   3. run its generator with VERSION set (stamps the version into the schema),
#   4. build the main package through this wrapper with a replace to the copy and
#      -X .../provider/v4/pkg/version.Version=$VERSION (upstream's ldflags).
set -euo pipefail

: "${OUT:?OUT must be set}"
: "${VERSION:?VERSION must be set}"
: "${WORK:?WORK must be set}"

# go.mod pins the commit of exactly this release; refuse to label it otherwise.
PINNED_VERSION=4.25.0
if [[ "$VERSION" != "$PINNED_VERSION" ]]; then
  echo "error: this recipe pins pulumi-kubernetes v$PINNED_VERSION (go.mod); VERSION=$VERSION." >&2
  echo "       Update go.mod/go.sum and PINNED_VERSION together with the npm SDK." >&2
  exit 1
fi

export GOWORK=off
export GOFLAGS="${GOFLAGS:--mod=mod -buildvcs=false}"
export CGO_ENABLED="${CGO_ENABLED:-0}"

PROVIDER_MOD=github.com/pulumi/pulumi-kubernetes/provider/v4
SDK_MOD=github.com/pulumi/pulumi-kubernetes/sdk/v4
MAIN_PKG=$PROVIDER_MOD/cmd/pulumi-resource-kubernetes
WRAPPER_DIR=$(pwd)

module_dir() { # module path -> its directory in the module cache (version from go.mod)
  go list -m -f '{{.Dir}}' "$1"
}

echo "step: downloading $PROVIDER_MOD and $SDK_MOD"
go mod download "$PROVIDER_MOD" "$SDK_MOD"
provider_src=$(module_dir "$PROVIDER_MOD")
sdk_src=$(module_dir "$SDK_MOD")
if [[ -z "$provider_src" || ! -d "$provider_src" || -z "$sdk_src" || ! -d "$sdk_src" ]]; then
  echo "error: module sources not found ($provider_src, $sdk_src)" >&2
  exit 1
fi

echo "step: copying provider module to \$WORK"
rm -rf "$WORK/provider" "$WORK/sdk"
cp -R "$provider_src" "$WORK/provider"
cp -R "$sdk_src" "$WORK/sdk"
chmod -R u+w "$WORK/provider" "$WORK/sdk"

echo "step: generating embedded schema (VERSION=$VERSION)"
(cd "$WORK/provider" && VERSION="$VERSION" go generate ./cmd/pulumi-resource-kubernetes/main.go)
for f in schema-embed.json terraform-mapping-embed.json; do
  [[ -s "$WORK/provider/cmd/pulumi-resource-kubernetes/$f" ]] || {
    echo "error: generator did not produce $f" >&2
    exit 1
  }
done

echo "step: building pulumi-resource-kubernetes $VERSION"
cd "$WRAPPER_DIR"
go mod edit -replace "$PROVIDER_MOD=$WORK/provider"
go build -o "$OUT/pulumi-resource-kubernetes" \
  -ldflags "-X $PROVIDER_MOD/pkg/version.Version=$VERSION" \
  "$MAIN_PKG"

echo "step: done: $OUT/pulumi-resource-kubernetes"
