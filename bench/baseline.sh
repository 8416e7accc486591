#!/usr/bin/env bash
# The release guide's procedure, done literally and one step after another, as the benchmark's baseline:
# go build for six mains x three targets, SHA256SUMS, one multi-platform build and push per image with buildctl
# (the ko way: the prebuilt binary on scratch), helm package, helm push, the chart's `latest` alias, helm upgrade --install.
# Inputs come from the environment (bench/scenarios.ts sets them); the extra mains of a scale run come as EXTRA_MAINS lines
# "<pkg> <binary> <image>".
set -euo pipefail
: "${SRC:?}" "${DIST:?}" "${VERSION:?}" "${CHART_VERSION:?}" "${REGISTRY:?}" "${ORG:?}" "${BUILDKIT_ADDR:?}" "${NAMESPACE:?}"
: "${REGISTRY_USERNAME:?}" "${REGISTRY_PASSWORD:?}" "${KUBECONFIG:?}"
IMAGE_PREFIX="${REGISTRY}/${ORG}"
CHART_REF="oci://${REGISTRY}/${ORG}/charts"
TAG="${VERSION}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# 3.4 Build release binaries (multi-platform): the guide's loop, with the program's flags so both build the same thing.
MAINS="./cmd/splaictl splaictl -
./worker/cmd/worker-agent splai-worker worker-agent
./cmd/api-gateway splai-api-gateway api-gateway
./cmd/scheduler splai-scheduler scheduler
./cmd/planner splai-planner planner
./cmd/operator splai-operator operator
${EXTRA_MAINS:-}"
cd "$SRC"
mkdir -p "$DIST"
for target in "linux amd64" "linux arm64" "darwin arm64"; do
  set -- $target
  while read -r pkg bin _image; do
    [ -n "$pkg" ] || continue
    CGO_ENABLED=0 GOOS=$1 GOARCH=$2 GOFLAGS=-mod=mod go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" -o "$DIST/$bin-$1-$2" "$pkg"
  done <<<"$MAINS"
done
(cd "$DIST" && sha256sum -- * > "$WORK/SHA256SUMS" && mv "$WORK/SHA256SUMS" SHA256SUMS)

# 4. Build and push container images: one multi-platform build and push per service.
mkdir -p "$WORK/docker"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$(printf '%s:%s' "$REGISTRY_USERNAME" "$REGISTRY_PASSWORD" | base64 -w0)" > "$WORK/docker/config.json"
while read -r _pkg bin image; do
  [ -n "$image" ] && [ "$image" != "-" ] || continue
  ctx="$WORK/ctx-$image"
  mkdir -p "$ctx/linux-amd64" "$ctx/linux-arm64"
  cp "$DIST/$bin-linux-amd64" "$ctx/linux-amd64/app"
  cp "$DIST/$bin-linux-arm64" "$ctx/linux-arm64/app"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$ctx/passwd"
  cat > "$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
ARG TARGETOS
ARG TARGETARCH
COPY --chmod=0644 ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --chmod=0644 passwd /etc/passwd
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
COPY --chmod=0755 \${TARGETOS}-\${TARGETARCH}/app /ko-app/$bin
ENV PATH=/ko-app
USER 65532:65532
ENTRYPOINT ["/ko-app/$bin"]
DOCKERFILE
  DOCKER_CONFIG="$WORK/docker" buildctl --addr "$BUILDKIT_ADDR" build --progress=quiet \
    --frontend dockerfile.v0 --local context="$ctx" --local dockerfile="$ctx" \
    --opt platform=linux/amd64,linux/arm64 \
    --output "type=image,name=${IMAGE_PREFIX}/splai-${image}:${TAG},push=true"
done <<<"$MAINS"

# 5. Package and publish the Helm chart, then the `latest` alias (a second tag on the same manifest).
mkdir -p "$WORK/charts"
helm package charts/splai --version "$CHART_VERSION" --app-version "$VERSION" --destination "$WORK/charts" >/dev/null
helm push "$WORK/charts/splai-${CHART_VERSION}.tgz" "$CHART_REF" >/dev/null 2>&1
accept="application/vnd.oci.image.manifest.v1+json"
curl -fsS -u "$REGISTRY_USERNAME:$REGISTRY_PASSWORD" -H "Accept: $accept" \
  "https://${REGISTRY}/v2/${ORG}/charts/splai/manifests/${CHART_VERSION}" -o "$WORK/chart-manifest.json"
curl -fsS -u "$REGISTRY_USERNAME:$REGISTRY_PASSWORD" -X PUT -H "Content-Type: $accept" --data-binary "@$WORK/chart-manifest.json" \
  "https://${REGISTRY}/v2/${ORG}/charts/splai/manifests/latest"

# 6. Deploy from the registry with the published image tags.
{
  for pair in apiGateway:api-gateway scheduler:scheduler planner:planner worker:worker-agent; do
    printf '%s:\n  image:\n    repository: %s\n    tag: "%s"\n' "${pair%%:*}" "${IMAGE_PREFIX}/splai-${pair#*:}" "$TAG"
  done
  printf 'postgresql:\n  enabled: false\nredis:\n  enabled: false\nminio:\n  enabled: false\n'
} > "$WORK/values.release.yaml"
helm upgrade --install splai "${CHART_REF}/splai" --version "$CHART_VERSION" -n "$NAMESPACE" --create-namespace \
  -f "$WORK/values.release.yaml" --wait --timeout 300s >/dev/null
