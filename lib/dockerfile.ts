// The ko-style Dockerfile: a prebuilt static Go binary per platform on `scratch` (plus CA certificates and a non-root user) or a given base.
export interface DockerfileOptions {
  readonly binary: string;
  /** Base image; undefined means `scratch` with the staged ca-certificates.crt and passwd. */
  readonly baseImage?: string;
}

export function generatedDockerfile(o: DockerfileOptions): string {
  const lines = [`FROM ${o.baseImage ?? "scratch"}`, "ARG TARGETOS", "ARG TARGETARCH"];
  if (o.baseImage === undefined) {
    lines.push(
      "COPY --chmod=0644 ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
      "COPY --chmod=0644 passwd /etc/passwd",
      "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
    );
  }
  lines.push(
    `COPY --chmod=0755 \${TARGETOS}-\${TARGETARCH}/app /ko-app/${o.binary}`,
    "ENV PATH=/ko-app",
    "USER 65532:65532",
    `ENTRYPOINT ["/ko-app/${o.binary}"]`,
    "",
  );
  return lines.join("\n");
}

/** Image label holding the SHA-256 of the build context, so a released tag can be compared with what would replace it. */
export const CONTEXT_LABEL = "io.splai.release.context-sha256";
