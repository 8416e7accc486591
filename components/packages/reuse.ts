// Step side of the packages: a Linux package whose inputs are those of the one already in the output directory is
// kept rather than built again. Packages are reproducible (fixed times), so nfpm would write the same bytes; a
// one-service release then rebuilds only the archives, which hold every binary, not splaictl's and the worker's packages.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

/** Where the inputs of each package in `outDir` are recorded: beside the directory, never among its assets. */
export const inputsDir = (outDir: string): string => join(dirname(outDir), `${basename(outDir)}.package-inputs`);

/** The identity of a package's inputs: nfpm's config, the packed files' checksums, the format and nfpm itself. */
export function packageKey(parts: { config: string; files: string[]; format: string; nfpm: string }): string {
  return sha256(JSON.stringify(parts));
}

/**
 * The checksum of `target` when it was built from inputs `key` and is unchanged since (same bytes as recorded);
 * undefined when it must be built.
 */
export function reusable(outDir: string, target: string, key: string): string | undefined {
  const record = join(inputsDir(outDir), `${basename(target)}.json`);
  if (!existsSync(record) || !existsSync(target)) return undefined;
  const r = JSON.parse(readFileSync(record, "utf8")) as { key?: string; sha256?: string };
  if (r.key !== key) return undefined;
  const actual = sha256(readFileSync(target));
  return actual === r.sha256 ? actual : undefined;
}

/** Records that `target` (checksum `sha`) was built from inputs `key`. */
export function recordBuilt(outDir: string, target: string, key: string, sha: string): void {
  mkdirSync(inputsDir(outDir), { recursive: true });
  writeFileSync(join(inputsDir(outDir), `${basename(target)}.json`), JSON.stringify({ key, sha256: sha }));
}
