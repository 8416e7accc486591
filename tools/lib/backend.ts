// Pulumi file:// backends: the URL this project uses, and the repair of metadata a killed CLI can leave truncated.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * The file backend in `dir`, without gocloud's metadata sidecars (`metadata=skip`). Pulumi writes each checkpoint to a
 * temporary file and renames it, but the sidecar `<file>.attrs` is written in place: a CLI killed at that moment (a
 * lost CI runner; faults.test.ts does it on purpose) leaves it empty, and every later command fails with
 * `failed to load checkpoint: EOF`. Pulumi reads nothing it needs from the sidecars.
 */
export function fileBackendUrl(dir: string): string {
  return `file://${dir}?metadata=skip`;
}

/**
 * Deletes the metadata sidecars (`*.attrs`) under a file backend's `.pulumi` that are empty or not JSON, as a killed
 * CLI leaves them; gocloud treats a missing sidecar as no metadata. Returns the deleted paths, relative to `root`.
 */
export function repairSidecars(root: string): string[] {
  const removed: string[] = [];
  for (const p of filesUnder(join(root, ".pulumi")).filter((f) => f.endsWith(".attrs"))) {
    let ok: boolean;
    try {
      const v = JSON.parse(readFileSync(p, "utf8")) as unknown;
      ok = v !== null && typeof v === "object";
    } catch {
      ok = false;
    }
    if (!ok) {
      rmSync(p, { force: true });
      removed.push(relative(root, p));
    }
  }
  return removed.sort();
}

/** Every file below `dir` (none when it does not exist), as paths. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}
