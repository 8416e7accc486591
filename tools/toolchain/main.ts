// `npm run toolchain`: builds or finds every pinned tool (Pulumi CLI, plugins, helm, BuildKit, registry, Kubernetes), cached outside the repo.
// Tools with a `group` in package.json are built only with `--<group>` (`--real-node`, `--bench`), `--all`, or by name.
import {
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashDirectory } from "../../shared/hashdir";
import { run, tryCapture, which } from "../lib/exec";
import { elapsed, info, runMain, UserError } from "../lib/log";
import { cacheDir, pulumiHome, toolBinDir } from "../lib/paths";
import { toolEnv } from "../lib/toolenv";
import { findArchive } from "../lib/archives";
import { loadToolchain, selectTools, type Tool, type Toolchain } from "./versions";

type Source = "built" | "cached" | "on PATH" | "installed plugin";

interface Result {
  tool: Tool;
  source: Source;
  dir: string;
  seconds: number;
}

function checkOutput(tool: Tool, binDir: string | undefined): string | undefined {
  const [cmd, ...args] = tool.check;
  const resolvedArgs = args.map((a) => (binDir && tool.bins.includes(a) ? join(binDir, a) : a));
  const exe = binDir && tool.bins.includes(cmd) ? join(binDir, cmd) : cmd;
  return tryCapture(exe, resolvedArgs);
}

/** A tool already installed on the machine, as on a workstation: all its binaries on PATH and the right version. */
function findOnPath(tool: Tool): string | undefined {
  const path = (process.env.PATH ?? "")
    .split(":")
    .filter((p) => p && !p.startsWith(cacheDir))
    .join(":");
  const found = tool.bins.map((b) => which(b, path));
  if (found.some((f) => f === undefined)) return undefined;
  const dirs = new Set(found.map((f) => f!.slice(0, f!.lastIndexOf("/"))));
  if (dirs.size !== 1) return undefined;
  const [dir] = [...dirs];
  const out = checkOutput(tool, dir);
  return out?.includes(tool.version) ? dir : undefined;
}

function pluginDir(tool: Tool): string {
  return join(pulumiHome, "plugins", `resource-${tool.plugin}-v${tool.version}`);
}

let upstream: Toolchain["upstreamDir"] = { env: "SPLAI_UPSTREAM_DIR", dir: "" };

async function build(tool: Tool, dest: string, logFile: string, goVersion: string, archive?: string): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), `splai-${tool.name}-`));
  const src = join(scratch, "src");
  const work = join(scratch, "work");
  const out = `${dest}.partial-${process.pid}`;
  cpSync(tool.dir, src, { recursive: true });
  mkdirSync(work);
  // An upstream source archive (checked already) is unpacked for build.sh as $SRC.
  const srcTree = archive ? join(scratch, "upstream") : undefined;
  if (archive && srcTree) {
    mkdirSync(srcTree);
    await run("tar", ["-xzf", archive, "-C", srcTree, "--strip-components=1"], { timeoutMs: 5 * 60 * 1000 });
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  rmSync(logFile, { force: true });
  const t0 = Date.now();
  info(tool.name, `building ${tool.version} with ${goVersion} (log: ${logFile})`);
  const heartbeat = setInterval(() => info(tool.name, `still building (${elapsed(t0)})`), 60_000);
  try {
    await run("bash", ["build.sh"], {
      cwd: src,
      logFile,
      timeoutMs: 60 * 60 * 1000,
      env: {
        ...process.env,
        OUT: out,
        VERSION: tool.version,
        WORK: work,
        ...(srcTree ? { SRC: srcTree } : {}),
        GOFLAGS: "-mod=mod -buildvcs=false",
        CGO_ENABLED: "0",
        GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "local",
      },
      onLine: (line) => {
        if (line.startsWith("step:")) info(tool.name, `${line.slice(5).trim()} (${elapsed(t0)})`);
      },
    });
  } catch (err) {
    throw new UserError(
      `${tool.name} ${tool.version} failed to build after ${elapsed(t0)}; full log: ${logFile}\n${(err as Error).message}`,
    );
  } finally {
    clearInterval(heartbeat);
  }
  for (const b of tool.bins) {
    if (!existsSync(join(out, b)))
      throw new UserError(`${tool.name}: build.sh finished but did not produce ${b} (log: ${logFile})`);
  }
  const check = checkOutput(tool, out);
  if (!check?.includes(tool.version)) {
    throw new UserError(
      `${tool.name}: '${tool.check.join(" ")}' does not report version ${tool.version}:\n${check ?? "(command failed)"}`,
    );
  }
  rmSync(dest, { recursive: true, force: true });
  renameSync(out, dest);
  rmSync(scratch, { recursive: true, force: true });
  info(tool.name, `built in ${elapsed(t0)}`);
}

/** What to do when a plugin's source archive is nowhere: point at it, or install the plugin by hand. */
function upstreamHint(tool: Tool): string {
  const point = `set ${upstream.env} to the folder holding it (the project's upstream/ sources)`;
  return tool.plugin
    ? `${point}, or install the plugin yourself: pulumi plugin install resource ${tool.plugin} ${tool.version} [--file <binary>]`
    : `${point}, or put ${tool.bins.join(", ")} ${tool.version} on PATH`;
}

async function provide(tool: Tool, goVersion: string): Promise<Result> {
  const t0 = Date.now();
  if (tool.plugin && existsSync(join(pluginDir(tool), `pulumi-resource-${tool.plugin}`))) {
    return { tool, source: "installed plugin", dir: pluginDir(tool), seconds: 0 };
  }
  const onPath = tool.plugin ? undefined : findOnPath(tool);
  if (onPath) return { tool, source: "on PATH", dir: onPath, seconds: 0 };
  // The archive's checksum is in the key, not its path: a cached build needs no archive at all.
  const key = hashDirectory(tool.dir, [
    goVersion,
    tool.version,
    ...(tool.upstream ? [tool.upstream.sha256] : []),
  ]).slice(0, 12);
  const dest = join(cacheDir, "tools", tool.name, `${tool.version}-${key}`);
  if (tool.bins.every((b) => existsSync(join(dest, b)))) return { tool, source: "cached", dir: dest, seconds: 0 };
  const archive =
    tool.upstream &&
    findArchive({
      name: tool.upstream.archive,
      sha256: tool.upstream.sha256,
      dirs: [upstream.dir],
      hint: upstreamHint(tool),
    });
  mkdirSync(join(cacheDir, "logs"), { recursive: true });
  await build(tool, dest, join(cacheDir, "logs", `${tool.name}-${tool.version}.log`), goVersion, archive);
  return { tool, source: "built", dir: dest, seconds: Math.round((Date.now() - t0) / 1000) };
}

/**
 * Puts a tool into the bin dir. `pulumi` is hard-linked, not symlinked: the engine looks for its bundled plugins
 * (the language host, the dynamic provider) next to its own resolved path, which must then be the bin dir.
 */
function link(target: string, name: string): void {
  const p = join(toolBinDir, name);
  try {
    if (lstatSync(p)) unlinkSync(p);
  } catch {
    /* not there yet */
  }
  if (name === "pulumi") {
    try {
      linkSync(target, p);
      return;
    } catch {
      copyFileSync(target, p);
      return;
    }
  }
  symlinkSync(target, p);
}

/** Runs up to `jobs` builds at once, keeping the order of results. */
async function pool<T, R>(items: T[], jobs: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

async function ensureDebianPackages(pkgs: string[]): Promise<void> {
  const missing = pkgs.filter(
    (p) => !tryCapture("dpkg-query", ["-W", "-f=${Status}", p])?.includes("install ok installed"),
  );
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new UserError(
      `missing Debian packages: ${missing.join(" ")}; install them with: sudo apt-get install -y ${missing.join(" ")}`,
    );
  }
  info("apt", `installing ${missing.join(" ")}`);
  const logFile = join(cacheDir, "logs", "apt.log");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-q"], { env, logFile, timeoutMs: 10 * 60 * 1000 });
  await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing], {
    env,
    logFile,
    timeoutMs: 15 * 60 * 1000,
  });
}

/** The group whose tools (kubelet) also need package.json's `debianRealNode`. */
const REAL_NODE_GROUP = "real-node";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jobsArg = args.indexOf("--jobs");
  const jobs = jobsArg >= 0 ? Number(args[jobsArg + 1]) : 2;
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new UserError(`--jobs must be a positive integer, got '${args[jobsArg + 1]}'`);
  const only = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--jobs");
  const flags = args.filter((a) => a.startsWith("--") && a !== "--jobs").map((a) => a.slice(2));
  const t0 = Date.now();
  mkdirSync(join(cacheDir, "logs"), { recursive: true });
  mkdirSync(toolBinDir, { recursive: true });

  const goVersion = tryCapture("go", ["env", "GOVERSION"])?.trim();
  if (!goVersion)
    throw new UserError(
      "Go is not on PATH; the toolchain builds every tool from the Go module proxy, so install Go (https://go.dev/doc/install) and retry",
    );
  const toolchain = loadToolchain();
  upstream = toolchain.upstreamDir;
  const { tools, groups } = selectTools(toolchain.tools, only, flags);
  const unknown = only.filter((o) => !toolchain.tools.some((t) => t.name === o));
  if (unknown.length)
    throw new UserError(
      `unknown tool(s) ${unknown.join(", ")}; known: ${toolchain.tools.map((t) => t.name).join(", ")}`,
    );

  // The real-node group also needs containerd and the CNI plugins, which come from Debian.
  await ensureDebianPackages(
    groups.has(REAL_NODE_GROUP) ? [...toolchain.debian, ...toolchain.debianRealNode] : toolchain.debian,
  );
  const results = await pool(tools, jobs, (t) => provide(t, goVersion));

  // Resource plugins are installed into PULUMI_HOME below, not put on PATH (the engine warns about ambient plugins).
  for (const r of results.filter((x) => !x.tool.plugin)) {
    for (const b of r.tool.bins) link(join(r.dir, b), b);
  }
  // A binary no pinned tool provides any more (a stand-in that was replaced) must not shadow the real one on PATH.
  if (only.length === 0) {
    const wanted = new Set(toolchain.tools.filter((t) => !t.plugin).flatMap((t) => t.bins));
    for (const name of readdirSync(toolBinDir).filter((n) => !wanted.has(n))) {
      unlinkSync(join(toolBinDir, name));
      info("toolchain", `removed ${name} from ${toolBinDir}: no pinned tool provides it any more`);
    }
  }
  // Plugins go into PULUMI_HOME through the CLI itself, so the engine finds them and never downloads one.
  const env = toolEnv();
  for (const r of results.filter((x) => x.tool.plugin && x.source !== "installed plugin")) {
    const bin = join(r.dir, `pulumi-resource-${r.tool.plugin}`);
    await run(
      "pulumi",
      ["plugin", "install", "resource", r.tool.plugin!, r.tool.version, "--file", bin, "--reinstall"],
      { env, timeoutMs: 120_000 },
    );
  }

  const width = Math.max(...results.map((r) => r.tool.name.length));
  process.stderr.write(`\ntoolchain ready in ${elapsed(t0)} (bin: ${toolBinDir}, PULUMI_HOME: ${pulumiHome})\n`);
  for (const r of results) {
    const took = r.source === "built" ? ` in ${r.seconds}s` : "";
    process.stderr.write(`  ${r.tool.name.padEnd(width)}  ${r.tool.version.padEnd(10)} ${r.source}${took}  ${r.dir}\n`);
  }
}

runMain(main);
