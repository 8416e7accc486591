// Builds minimal SPLAI-shaped source trees in temp dirs for config and program unit tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { SPLAI_MAINS } from "../../shared/layout";

export interface TreeOptions {
  /** Mains to leave out. */
  readonly omit?: string[];
  /** values.yaml text; default has every image key. */
  readonly values?: string;
  readonly chartVersion?: string;
}

export const FULL_VALUES = ["apiGateway", "scheduler", "planner", "worker"]
  .map((k) => `${k}:\n  image:\n    repository: ghcr.io/example/${k}\n    tag: latest\n    pullPolicy: IfNotPresent\n`)
  .join("");

const made: string[] = [];
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function makeTree(o: TreeOptions = {}): string {
  const root = mkdtempSync(join(tmpdir(), "splai-tree-"));
  made.push(root);
  const write = (p: string, text: string): void => {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  write("go.mod", "module github.com/example/splai\n\ngo 1.22\n");
  for (const m of SPLAI_MAINS) {
    if (o.omit?.includes(m.pkg)) continue;
    write(join(m.pkg, "main.go"), "package main\n\nfunc main() {}\n");
  }
  write(
    "charts/splai/Chart.yaml",
    `apiVersion: v2\nname: splai\nversion: ${o.chartVersion ?? "0.1.0"}\nappVersion: "0.1.0"\n`,
  );
  write("charts/splai/values.yaml", o.values ?? FULL_VALUES);
  return root;
}
