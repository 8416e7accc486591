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

function goList(source: string, args: string[]): string {
  return execFileSync("go", ["list", "-e", ...args], {
    cwd: source,
    encoding: "utf8",
    env: { ...process.env, GOFLAGS: "-mod=mod", CGO_ENABLED: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * For each main, the module's own packages it imports, itself included. Two `go list` calls for all mains together
 * (one for each package's directory and embeds, one for each main's dependency list), however many mains there are.
 */
export function localPackagesOf(source: string, mains: readonly string[]): Map<string, LocalPackage[]> {
  const local = new Map<string, LocalPackage>();
  const info = goList(source, [
    "-deps",
    "-f",
    '{{if and (not .Standard) .Module}}{{if .Module.Main}}{{.ImportPath}}|{{.Dir}}|{{join .EmbedFiles ","}}{{end}}{{end}}',
    ...mains,
  ]);
  for (const l of info.split("\n").filter((x) => x.includes("|"))) {
    const [path, dir, embeds] = l.split("|");
    local.set(path, { dir, embeds: embeds ? embeds.split(",") : [] });
  }
  const result = new Map<string, LocalPackage[]>();
  const deps = goList(source, ["-f", '{{.ImportPath}}|{{join .Deps ","}}', ...mains])
    .split("\n")
    .filter((x) => x.includes("|"));
  // `go list` answers in the order of its arguments, one line per main; anything else would attach one main's
  // sources to another's build trigger, so it is an error rather than a guess.
  if (deps.length !== mains.length)
    throw new Error(`go list in ${source} answered for ${deps.length} of the ${mains.length} mains ${mains.join(" ")}`);
  deps.forEach((l, i) => {
    const [self, list] = l.split("|");
    const pkgs = [self, ...(list ? list.split(",") : [])].flatMap((d) => (local.has(d) ? [local.get(d)!] : []));
    // A main without its own package would be rebuilt on go.mod changes only: never on an edit of its sources.
    if (!local.has(self))
      throw new Error(`go list in ${source} found no package of this module for main ${mains[i]} (${self})`);
    result.set(
      mains[i],
      pkgs.sort((a, b) => a.dir.localeCompare(b.dir)),
    );
  });
  return result;
}

/** The module's own packages that `pkg` imports, itself included. */
export function localPackages(source: string, pkg: string): LocalPackage[] {
  return localPackagesOf(source, [pkg]).get(pkg) ?? [];
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
