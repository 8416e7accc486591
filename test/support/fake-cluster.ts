// A cluster as far as a unit test of the program needs one: a kubeconfig with one context, and `helm` that finds no release.
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
