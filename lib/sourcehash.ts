// Content hashes of what each Go main is built from, so an unchanged main is never rebuilt and a changed one always is.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

interface GoPackage {
  Dir: string;
  Module?: { Path: string; Main?: boolean };
  Standard?: boolean;
}

/** Directories of the module's own packages that `pkg` imports, itself included (via `go list -deps`). */
export function localPackageDirs(source: string, pkg: string): string[] {
  const out = execFileSync("go", ["list", "-e", "-deps", "-json=Dir,Module,Standard", pkg], {
    cwd: source,
    encoding: "utf8",
    env: { ...process.env, GOFLAGS: "-mod=mod", CGO_ENABLED: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const dirs: string[] = [];
  // `go list -json` prints concatenated objects; split at top-level boundaries.
  for (const chunk of out.split(/\n}\n/)) {
    const text = chunk.trim();
    if (!text) continue;
    const p = JSON.parse(text.endsWith("}") ? text : `${text}\n}`) as GoPackage;
    if (!p.Standard && p.Module?.Main) dirs.push(p.Dir);
  }
  return dirs.sort();
}

/** SHA-256 over the Go files (tests excluded) and embeddable assets of `dirs`, plus go.mod, go.sum and `extra`. */
export function hashSources(source: string, dirs: string[], extra: string[]): string {
  const h = createHash("sha256");
  for (const f of ["go.mod", "go.sum"]) {
    const p = join(source, f);
    if (existsSync(p)) h.update(`${f}\0`).update(readFileSync(p)).update("\0");
  }
  for (const dir of dirs) {
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith(".go") || name.endsWith("_test.go")) continue;
      h.update(`${relative(source, join(dir, name))}\0`).update(readFileSync(join(dir, name))).update("\0");
    }
  }
  for (const e of extra) h.update(`${e}\0`);
  return h.digest("hex");
}
