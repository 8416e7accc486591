// Content hashes of what each Go main is built from, so an unchanged main is never rebuilt and a changed one always is.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface LocalPackage {
  readonly dir: string;
  /** Files matched by //go:embed, relative to dir. */
  readonly embeds: string[];
}

/** The module's own packages that `pkg` imports, itself included (via `go list -deps`). */
export function localPackages(source: string, pkg: string): LocalPackage[] {
  const out = execFileSync(
    "go",
    ["list", "-e", "-deps", "-f", '{{if and (not .Standard) .Module}}{{if .Module.Main}}{{.Dir}}|{{join .EmbedFiles ","}}{{end}}{{end}}', pkg],
    {
      cwd: source,
      encoding: "utf8",
      env: { ...process.env, GOFLAGS: "-mod=mod", CGO_ENABLED: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return out
    .split("\n")
    .filter((l) => l.includes("|"))
    .map((l) => {
      const [dir, embeds] = l.split("|");
      return { dir, embeds: embeds ? embeds.split(",") : [] };
    })
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

/** SHA-256 over the Go files (tests excluded) and embedded files of `pkgs`, plus go.mod, go.sum and `extra`. */
export function hashSources(source: string, pkgs: LocalPackage[], extra: string[]): string {
  const h = createHash("sha256");
  for (const f of ["go.mod", "go.sum"]) {
    const p = join(source, f);
    if (existsSync(p)) h.update(`${f}\0`).update(readFileSync(p)).update("\0");
  }
  for (const { dir, embeds } of pkgs) {
    const files = readdirSync(dir).filter((n) => n.endsWith(".go") && !n.endsWith("_test.go"));
    for (const name of [...files, ...embeds].sort()) {
      h.update(`${relative(source, join(dir, name))}\0`)
        .update(readFileSync(join(dir, name)))
        .update("\0");
    }
  }
  for (const e of extra) h.update(`${e}\0`);
  return h.digest("hex");
}
