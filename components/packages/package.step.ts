// Step: archives per target and Linux packages (nfpm) of a release's binaries, then SHA256SUMS over all of them.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as YAML from "yaml";
import { defineStep } from "../../shared/step/run";
import type { BuiltBinary } from "../binaries/contract";
import {
  archiveName,
  PACKAGE_RELEASE,
  packageFileName,
  type LinuxPackage,
  type PackageMeta,
  type ReleaseFile,
} from "./contract";
import { packageKey, recordBuilt, reusable } from "./reuse";
import { tarGz } from "./tar";

const execFileAsync = promisify(execFile);
const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

function writeAtomically(path: string, data: Buffer | string): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

/** One archive per target: the binaries under their plain names, with the tree's LICENSE and README.md. */
function archives(
  binaries: readonly BuiltBinary[],
  version: string,
  epoch: number,
  outDir: string,
  docs: { name: string; data: Buffer }[],
): ReleaseFile[] {
  const targets = [...new Set(binaries.map((b) => `${b.goos}/${b.goarch}`))].sort();
  return targets.map((t) => {
    const [goos, goarch] = t.split("/");
    const entries = binaries
      .filter((b) => b.goos === goos && b.goarch === goarch)
      .map((b) => ({ name: b.binary, data: readFileSync(b.path), mode: 0o755 }));
    const data = tarGz([...entries, ...docs.map((d) => ({ ...d, mode: 0o644 }))], epoch);
    const name = archiveName(version, goos, goarch);
    writeAtomically(join(outDir, name), data);
    return { name, path: join(outDir, name), sha256: sha256(data), kind: "archive" as const, goos, goarch };
  });
}

const NFPM_ARCH: Readonly<Record<string, string>> = { amd64: "amd64", arm64: "arm64" };

/** Which nfpm builds the packages: the resolved path of the one on PATH (the toolchain keys it by version). */
function nfpmIdentity(): string {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const p = join(dir, "nfpm");
    if (existsSync(p)) return realpathSync(p);
  }
  return "nfpm";
}

async function packages(
  binaries: readonly BuiltBinary[],
  specs: readonly LinuxPackage[],
  formats: readonly string[],
  meta: PackageMeta,
  version: string,
  epoch: number,
  outDir: string,
): Promise<ReleaseFile[]> {
  if (formats.length === 0 || specs.length === 0) return [];
  const work = mkdtempSync(join(tmpdir(), "splai-nfpm-"));
  const mtime = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  const out: ReleaseFile[] = [];
  const jobs: (() => Promise<void>)[] = [];
  const nfpm = nfpmIdentity();
  try {
    for (const spec of specs) {
      for (const b of binaries.filter((x) => x.binary === spec.binary && x.goos === "linux" && NFPM_ARCH[x.goarch])) {
        const contents: Record<string, unknown>[] = [
          { src: b.path, dst: `/usr/bin/${spec.name}`, file_info: { mode: 0o755, mtime } },
        ];
        if (spec.unit !== undefined) {
          const unit = join(work, `${spec.name}.service`);
          writeFileSync(unit, spec.unit);
          contents.push({
            src: unit,
            dst: `/lib/systemd/system/${spec.name}.service`,
            type: "config",
            file_info: { mode: 0o644, mtime },
          });
        }
        const config = join(work, `${spec.name}-${b.goarch}.yaml`);
        writeFileSync(
          config,
          YAML.stringify({
            name: spec.name,
            arch: NFPM_ARCH[b.goarch],
            platform: "linux",
            version,
            maintainer: meta.maintainer,
            description: spec.description,
            vendor: meta.vendor,
            homepage: meta.homepage,
            license: meta.license,
            // The package's own times are the release commit's: two builds of one commit give the same bytes.
            mtime,
            contents,
          }),
        );
        // The unit's copy lives in this run's temp dir: its content is keyed, not its path.
        const configText = readFileSync(config, "utf8").replaceAll(work, "<work>");
        const packed = [b.sha256, ...(spec.unit === undefined ? [] : [sha256(Buffer.from(spec.unit))])];
        for (const format of formats) {
          const slot = jobs.length;
          jobs.push(async () => {
            const name = packageFileName(spec.name, version, b.goarch, format);
            const target = join(outDir, name);
            const key = packageKey({ config: configText, files: packed, format, nfpm });
            const done = (sum: string): void => {
              out[slot] = {
                name,
                path: target,
                sha256: sum,
                kind: format as ReleaseFile["kind"],
                goos: "linux",
                goarch: b.goarch,
              };
            };
            const kept = reusable(outDir, target, key);
            if (kept !== undefined) {
              process.stderr.write(`kept ${name}: built before from the same inputs\n`);
              return done(kept);
            }
            try {
              await execFileAsync("nfpm", ["package", "-f", config, "-p", format, "-t", `${target}.tmp`]);
            } catch (e) {
              const err = e as { code?: string; stderr?: string | Buffer; message: string };
              if (err.code === "ENOENT")
                throw new Error(
                  "nfpm is not on PATH; npm run toolchain builds it (or set splai-release:linuxPackages to [])",
                );
              throw new Error(`nfpm could not build ${name}: ${err.stderr?.toString().trim() ?? err.message}`);
            }
            renameSync(`${target}.tmp`, target);
            process.stderr.write(`packaged ${name}\n`);
            const sum = sha256(readFileSync(target));
            recordBuilt(outDir, target, key, sum);
            done(sum);
          });
        }
      }
    }
    // nfpm packs one file at a time: as many at once as there are cores.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) await jobs[next++]();
    };
    await Promise.all(Array.from({ length: Math.min(cpus().length, jobs.length) }, worker));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

export default defineStep(PACKAGE_RELEASE, async (env) => {
  mkdirSync(env.OUT_DIR, { recursive: true });
  const docs = ["LICENSE", "README.md"]
    .filter((f) => existsSync(join(env.SOURCE_DIR, f)))
    .map((f) => ({ name: f, data: readFileSync(join(env.SOURCE_DIR, f)) }));
  // Every binary is checked against the checksum it was built with before it is packed.
  for (const b of env.BINARIES) {
    const actual = sha256(readFileSync(b.path));
    if (actual !== b.sha256)
      throw new Error(`${b.path} has sha256 ${actual}, but the release built ${b.sha256}; nothing was packaged`);
  }
  const built = archives(env.BINARIES, env.VERSION, env.SOURCE_DATE_EPOCH, env.OUT_DIR, docs);
  process.stderr.write(`archived ${built.length} targets with ${docs.map((d) => d.name).join(", ") || "no docs"}\n`);
  const pkgs = await packages(
    env.BINARIES,
    env.PACKAGES,
    env.FORMATS,
    env.META,
    env.VERSION,
    env.SOURCE_DATE_EPOCH,
    env.OUT_DIR,
  );
  const lines = [...env.BINARIES, ...built, ...pkgs]
    .map((f) => `${f.sha256}  ${f.name}\n`)
    .sort((a, b) => (a.slice(66) < b.slice(66) ? -1 : 1));
  const checksums = lines.join("");
  writeAtomically(join(env.OUT_DIR, "SHA256SUMS"), checksums);
  execFileSync("sha256sum", ["--check", "--quiet", "SHA256SUMS"], { cwd: env.OUT_DIR });
  return { archives: built, packages: pkgs, checksums };
});
