// SHA-256 over every file of a directory tree (relative paths and contents), plus extra strings: a change detector for builds.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export function hashDirectory(dir: string, extra: readonly string[] = []): string {
  const h = createHash("sha256");
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else
        h.update(`${relative(dir, p)}\0`)
          .update(readFileSync(p))
          .update("\0");
    }
  };
  walk(dir);
  for (const e of extra) h.update(`${e}\0`);
  return h.digest("hex");
}
