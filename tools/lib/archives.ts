// Source archives that come from outside the repository (upstream plugin sources, SPLAI's real tree): found, checked by sha256, kept.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "./log";
import { cacheDir, repoRoot } from "./paths";

/** Where a checked copy of every archive is kept, by content: a later checkout on this machine finds it there. */
export const archiveCache = join(cacheDir, "sources");

export interface ArchiveRequest {
  /** File name of the archive. */
  readonly name: string;
  /** Expected SHA-256, hex. */
  readonly sha256: string;
  /** Folders searched first, in order (the configured directory). */
  readonly dirs: readonly string[];
  /** How a user points at the folder, for the error message (an environment variable). */
  readonly hint: string;
}

export function sha256File(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/**
 * The path of a checked copy of the archive. A file with other content is refused (naming both checksums), never used;
 * a missing one is an error that says where it was looked for and how to point at it.
 */
export function findArchive(req: ArchiveRequest): string {
  const cached = join(archiveCache, req.sha256, req.name);
  if (existsSync(cached) && sha256File(cached) === req.sha256) return cached;
  for (const dir of req.dirs) {
    const file = join(dir, req.name);
    if (!existsSync(file)) continue;
    const got = sha256File(file);
    if (got !== req.sha256) {
      throw new UserError(
        `${file} has sha256 ${got}, expected ${req.sha256}; it is not the archive this repository pins (package.json)`,
      );
    }
    mkdirSync(join(archiveCache, req.sha256), { recursive: true });
    const partial = `${cached}.partial-${process.pid}`;
    copyFileSync(file, partial);
    renameSync(partial, cached);
    return cached;
  }
  throw new UserError(
    `${req.name} (sha256 ${req.sha256.slice(0, 12)}…) was not found in ${[...req.dirs, archiveCache].join(", ")}; ${req.hint}`,
  );
}

/** SPLAI's repository at 759767f without its committed dist/ binary, as the customer gave it to us. */
export const REAL_TREE = {
  name: "splai-759767f.tar.gz",
  sha256: "efb7b72f06983e0b72cb66455aa2a0998dc1fff7e235d679ffb0b8d9fec0714b",
  dirs: [process.env.SPLAI_REAL_TREE_DIR ?? join(repoRoot, "..", "shared", "splai")],
  hint: "set SPLAI_REAL_TREE_DIR to the folder holding it (shared/splai beside this checkout)",
};
