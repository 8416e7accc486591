// Content hashes of what each Go main is built from, so an unchanged main is never rebuilt and a changed one always is.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join, relative, resolve } from "node:path";

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
 * For each main, the module's own packages it imports, itself included. One `go list -deps` for all mains together,
 * however many there are: each of the module's packages prints its directory and embeds, each main (a package named
 * on the command line, not `DepOnly`) also its dependency list. Mains are matched to their answers by directory.
 */
export function localPackagesOf(source: string, mains: readonly string[]): Map<string, LocalPackage[]> {
  const local = new Map<string, LocalPackage>();
  const listed = new Map<string, { self: string; deps: string[] }>();
  const out = goList(source, [
    "-deps",
    "-f",
    [
      '{{if and (not .Standard) .Module}}{{if .Module.Main}}P|{{.ImportPath}}|{{.Dir}}|{{join .EmbedFiles ","}}',
      '{{end}}{{end}}{{if not .DepOnly}}M|{{.ImportPath}}|{{.Dir}}|{{join .Deps ","}}',
      "{{end}}",
    ].join("\n"),
    ...mains,
  ]);
  for (const line of out.split("\n")) {
    const [kind, path, dir, list] = line.split("|");
    if (kind === "P") local.set(path, { dir, embeds: list ? list.split(",") : [] });
    if (kind === "M") listed.set(realDir(dir), { self: path, deps: list ? list.split(",") : [] });
  }
  const result = new Map<string, LocalPackage[]>();
  for (const main of mains) {
    // A main go list did not answer for would have its sources attached to no trigger: an error, never a guess.
    const answer = listed.get(realDir(resolve(source, main)));
    if (answer === undefined)
      throw new Error(`go list in ${source} gave no answer for main ${main} (asked for ${mains.join(" ")})`);
    // A main without its own package would be rebuilt on go.mod changes only: never on an edit of its sources.
    if (!local.has(answer.self))
      throw new Error(`go list in ${source} found no package of this module for main ${main} (${answer.self})`);
    const pkgs = [answer.self, ...answer.deps].flatMap((d) => (local.has(d) ? [local.get(d)!] : []));
    result.set(
      main,
      pkgs.sort((a, b) => a.dir.localeCompare(b.dir)),
    );
  }
  return result;
}

/** A directory with its symbolic links resolved (go list reports the one it was given, /tmp or /private/tmp). */
function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * SHA-256 over go.mod, go.sum and the Go files (tests excluded) and embedded files of `pkgs`, then `extra`. The
 * sources are read once per main: `withExtra` gives each target's hash from a copy of the state after the sources.
 */
export function sourceHasher(source: string, pkgs: LocalPackage[]): { withExtra(extra: string[]): string } {
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
  return {
    withExtra(extra) {
      const c = h.copy();
      for (const e of extra) c.update(`${e}\0`);
      return c.digest("hex");
    },
  };
}
