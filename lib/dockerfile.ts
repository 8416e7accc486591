// The ko-style image: a prebuilt static Go binary per platform on `scratch` (plus CA certificates and a non-root user) or a given base.
export interface DockerfileOptions {
  readonly binary: string;
  /** Base image; undefined means `scratch` with the staged CA certificates and passwd. */
  readonly baseImage?: string;
}

/**
 * The Dockerfile: one COPY of the platform's staged root (`<os>-<arch>/`, see `stagingScript`). Every staged file and
 * directory carries the modification time 0, like ko's layers, so a layer's bytes never depend on when (or from which
 * cached snapshot) it was built; SOURCE_DATE_EPOCH then sets the config and history times.
 */
export function generatedDockerfile(o: DockerfileOptions): string {
  const lines = [`FROM ${o.baseImage ?? "scratch"}`, "ARG TARGETOS", "ARG TARGETARCH", "COPY ${TARGETOS}-${TARGETARCH}/ /"];
  if (o.baseImage === undefined) lines.push("ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt");
  lines.push("ENV PATH=/ko-app", "USER 65532:65532", `ENTRYPOINT ["/ko-app/${o.binary}"]`, "");
  return lines.join("\n");
}

export interface StagedBinary {
  readonly goos: string;
  readonly goarch: string;
  readonly path: string;
}

/**
 * Shell script that stages the build context of one image in `dir`: per platform, `/ko-app/<binary>` and, on scratch,
 * `/etc/ssl/certs/ca-certificates.crt` and `/etc/passwd` (root and nonroot 65532), modes set, every time set to 0.
 * Prints the SHA-256 of the staged tree.
 */
export function stagingScript(dir: string, binary: string, binaries: readonly StagedBinary[], scratch: boolean): string {
  const lines = ["set -e", `rm -rf '${dir}'`];
  for (const b of binaries) {
    const root = `${dir}/${b.goos}-${b.goarch}`;
    lines.push(`mkdir -p '${root}/ko-app'`, `cp '${b.path}' '${root}/ko-app/${binary}'`, `chmod 0755 '${root}/ko-app/${binary}'`);
    if (scratch) {
      lines.push(
        `mkdir -p '${root}/etc/ssl/certs'`,
        `cp /etc/ssl/certs/ca-certificates.crt '${root}/etc/ssl/certs/ca-certificates.crt'`,
        `printf 'root:x:0:0:root:/root:/sbin/nologin\\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\\n' > '${root}/etc/passwd'`,
        `chmod 0644 '${root}/etc/passwd' '${root}/etc/ssl/certs/ca-certificates.crt'`,
      );
    }
  }
  lines.push(
    `find '${dir}' -type d -exec chmod 0755 {} +`,
    `find '${dir}' -exec touch -h -d @0 {} +`,
    `cd '${dir}' && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1`,
  );
  return lines.join("\n");
}

/** Image label holding the SHA-256 of the build context, so a released tag can be compared with what would replace it. */
export const CONTEXT_LABEL = "io.splai.release.context-sha256";
