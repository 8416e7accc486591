// Step: copies a dev build's release binaries into this release's dist directory after checking each against the dev build's
// SHA256SUMS, and writes that SHA256SUMS beside them: the GitHub release then attaches exactly the files dev tested.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseChecksums } from "../promotion/promotion";
import { defineStep } from "../../shared/step/run";
import { PROMOTE_BINARIES } from "./contract";

const sha256 = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");

export default defineStep(PROMOTE_BINARIES, async (env) => {
  const [stack, outDir, checksums, devDir] = [env.DEV_STACK, resolve(env.OUT_DIR), env.CHECKSUMS, env.DEV_DIR];
  const files = env.FILES.map((f) => (devDir === undefined ? f : { ...f, path: join(resolve(devDir), f.name) }));
  const where =
    devDir === undefined
      ? "the dev stack's dist directory must be on this machine, or set splai-release:promoteBinariesDir (SPLAI_PROMOTE_BINARIES_DIR) to a copy of it"
      : `splai-release:promoteBinariesDir ${devDir} must hold dev's binaries (in CI: the dev run's artifact of this commit)`;
  const sums = parseChecksums(checksums);
  const problems: string[] = [];
  for (const f of files) {
    if (sums.get(f.name) !== f.sha256)
      problems.push(`${f.name}: dev's SHA256SUMS lists ${sums.get(f.name) ?? "nothing"}, dev built ${f.sha256}`);
    let actual: string;
    try {
      actual = sha256(f.path);
    } catch (e) {
      problems.push(`${f.name}: cannot read ${f.path} (${e instanceof Error ? e.message : String(e)}); ${where}`);
      continue;
    }
    if (actual !== f.sha256)
      problems.push(`${f.name}: ${f.path} has sha256 ${actual}, dev built and tested ${f.sha256}`);
  }
  if (problems.length)
    throw new Error(
      `the binaries of stack '${stack}' are not the ones it built, so none was copied or released:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  mkdirSync(outDir, { recursive: true });
  for (const f of files) {
    const dest = join(outDir, f.name);
    if (resolve(f.path) === dest) continue;
    copyFileSync(f.path, `${dest}.tmp`);
    renameSync(`${dest}.tmp`, dest);
    // Checked again after the copy: what is attached must be what dev tested.
    if (sha256(dest) !== f.sha256) throw new Error(`${dest}: the copy of ${f.path} does not match ${f.sha256}`);
  }
  writeFileSync(join(outDir, "SHA256SUMS"), checksums);
  process.stderr.write(
    `copied ${files.length} binaries of stack '${stack}' into ${outDir}, each matching its SHA256SUMS\n`,
  );
  return files.map((f) => ({ ...f, path: join(outDir, f.name) }));
});
