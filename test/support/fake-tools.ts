// External tools as far as a unit test of the whole program needs them: a kubeconfig, `helm` finding no release, `go list`.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Writes a kubeconfig whose current context is `test`, returning its path. */
export function fakeKubeconfig(): string {
  const dir = mkdtempSync(join(tmpdir(), "kube-"));
  const file = join(dir, "config");
  writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "current-context: test",
      "contexts: [{ name: test, context: { cluster: c, user: u } }]",
      'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]',
      "users: [{ name: u, user: {} }]",
      "",
    ].join("\n"),
  );
  return file;
}

/**
 * Puts first on PATH a `helm` that answers every `status` as Helm does for a release that does not exist, so the
 * program's pre-flight check of the release name passes without a cluster.
 */
export function helmWithoutReleases(): void {
  const dir = mkdtempSync(join(tmpdir(), "helm-"));
  writeFileSync(join(dir, "helm"), '#!/bin/sh\necho "Error: release: not found" >&2\nexit 1\n');
  chmodSync(join(dir, "helm"), 0o755);
  process.env.PATH = `${dir}:${process.env.PATH ?? ""}`;
}

/**
 * Puts first on PATH a `go` that answers the program's `go list -deps` for a tree whose every main is a package of
 * its own and imports nothing else of the module (as test/support/tree.ts makes them), so no Go is needed.
 */
export function goListingMainsOnly(): void {
  const dir = mkdtempSync(join(tmpdir(), "go-"));
  const script = [
    "#!/bin/sh",
    '[ "$1" = list ] || { echo "fake go: only list" >&2; exit 2; }',
    "shift; while [ $# -gt 0 ]; do case $1 in -e|-deps) shift;; -f) shift 2;; *) break;; esac; done",
    // As `go list -deps` answers sourcehash's template: each main is a package of the module and a listed main.
    'for m in "$@"; do echo "P|$m|$PWD/${m#./}|"; echo "M|$m|$PWD/${m#./}|"; done',
    "",
  ].join("\n");
  writeFileSync(join(dir, "go"), script);
  chmodSync(join(dir, "go"), 0o755);
  process.env.PATH = `${dir}:${process.env.PATH ?? ""}`;
}

let githubFaked = false;

/**
 * Answers the program's pre-flight GitHub checks (GET /repos/{owner}/{repo}, under any base URL) as GitHub does for a
 * token with write access and a tag not released yet; every other request goes to the real fetch. The check itself is tested against the
 * emulator (components/preflight.test.ts).
 */
export function githubGrantingWrites(): void {
  if (githubFaked) return;
  githubFaked = true;
  const real = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const m = /\/repos\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (method === "GET" && m)
      return Response.json({ full_name: `${m[1]}/${m[2]}`, permissions: { admin: false, push: true, pull: true } });
    // No release of the tag is published yet.
    if (method === "GET" && url.pathname.includes("/releases/tags/"))
      return Response.json({ message: "Not Found" }, { status: 404 });
    return real(input, init);
  };
}
