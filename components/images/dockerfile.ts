// The ko-style image: a prebuilt static Go binary per platform on `scratch` (plus CA certificates and a non-root user) or a given base.
export interface DockerfileOptions {
  readonly binary: string;
  /** Base image; undefined means `scratch` with the staged CA certificates and passwd. */
  readonly baseImage?: string;
}

/** The Dockerfile: one COPY of the platform's staged root (`<os>-<arch>/`, see `stagingScript`). */
export function generatedDockerfile(o: DockerfileOptions): string {
  const lines = [
    `FROM ${o.baseImage ?? "scratch"}`,
    "ARG TARGETOS",
    "ARG TARGETARCH",
    "COPY ${TARGETOS}-${TARGETARCH}/ /",
  ];
  if (o.baseImage === undefined) lines.push("ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt");
  lines.push("ENV PATH=/ko-app", "USER 65532:65532", `ENTRYPOINT ["/ko-app/${o.binary}"]`, "");
  return lines.join("\n");
}

export interface StagedBinary {
  readonly goos: string;
  readonly goarch: string;
  readonly path: string;
}

/** Directories of the staged tree, and the base of its files' times: 2100-01-01, later than any commit. */
export const STAGED_TIME = 4102444800;

/**
 * Shell script that stages the build context of one image in `dir`: per platform, `/ko-app/<binary>` and, on scratch,
 * `/etc/ssl/certs/ca-certificates.crt` and `/etc/passwd` (root and nonroot 65532), with fixed modes. Prints the
 * SHA-256 of the staged tree.
 *
 * Times: every entry gets a time after any commit, so BuildKit's `rewrite-timestamp` always clamps it to
 * SOURCE_DATE_EPOCH, whether the layer is built now or comes from a cached snapshot of an earlier build: the layer's
 * bytes depend on content and epoch only. A file's time is derived from its content, so a changed file always gets a
 * new time: BuildKit's incremental context sync compares size and time, and would otherwise keep a stale copy of a
 * rebuilt binary of the same size.
 */
export function stagingScript(
  dir: string,
  binary: string,
  binaries: readonly StagedBinary[],
  scratch: boolean,
): string {
  const lines = ["set -e", `rm -rf '${dir}'`];
  for (const b of binaries) {
    const root = `${dir}/${b.goos}-${b.goarch}`;
    lines.push(
      `mkdir -p '${root}/ko-app'`,
      `cp '${b.path}' '${root}/ko-app/${binary}'`,
      `chmod 0755 '${root}/ko-app/${binary}'`,
    );
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
    `find '${dir}' -type d -exec touch -h -d @${STAGED_TIME} {} +`,
    `find '${dir}' -type f | while read -r f; do h=$(sha256sum "$f" | cut -c1-7); touch -h -d "@$((${STAGED_TIME} + 0x$h % 100000000))" "$f"; done`,
    `cd '${dir}' && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1`,
  );
  return lines.join("\n");
}

/** Image label holding the SHA-256 of the build context, so a released tag can be compared with what would replace it. */
export const CONTEXT_LABEL = "io.splai.release.context-sha256";
