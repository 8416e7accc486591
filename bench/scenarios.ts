// The bench's other workloads: the guide's sequential baseline, the engine's floor, a release with more services.
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as YAML from "yaml";
import { fileBackendUrl } from "../tools/lib/backend";
import { info, UserError } from "../tools/lib/log";
import { repoRoot } from "../tools/lib/paths";
import { platform, type Platform } from "../tools/lib/platform-client";
import { gitIn, uniqueId, type ReleaseProject } from "../tools/lib/release-project";
import { platformEnv, requirePlatform } from "../tools/platform/state";
import { timed } from "./measure";

/** A fresh git copy of the fixture, with `extra` synthetic services (copies of the planner) added. */
export function fixtureCopy(extra: number): {
  dir: string;
  git: (...a: string[]) => string;
  mains: { pkg: string; binary: string; image: string }[];
} {
  const dir = mkdtempSync(join(tmpdir(), "splai-bench-"));
  cpSync(join(repoRoot, "test", "fixtures", "splai"), dir, { recursive: true, filter: (s) => !s.includes("/dist") });
  const mains = synthesize(dir, extra);
  const git = gitIn(dir, "bench");
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "bench");
  return { dir, git, mains };
}

function synthesize(dir: string, extra: number): { pkg: string; binary: string; image: string }[] {
  const planner = readFileSync(join(dir, "cmd", "planner", "main.go"), "utf8");
  const mains = [];
  for (let i = 1; i <= extra; i++) {
    const name = `svc-${String(i).padStart(2, "0")}`;
    mkdirSync(join(dir, "cmd", name), { recursive: true });
    writeFileSync(join(dir, "cmd", name, "main.go"), planner.replaceAll("splai-planner", `splai-${name}`));
    mains.push({ pkg: `./cmd/${name}`, binary: `splai-${name}`, image: name });
  }
  return mains;
}

/** Adds services to a release project's tree and stack config (written to the stack file: a list of objects). */
export function addServices(proj: ReleaseProject, extra: number): void {
  const mains = synthesize(proj.source, extra);
  proj.git("add", "-A");
  proj.git("commit", "-qm", `${extra} synthetic services`);
  setStructuredConfig(proj, "splai-release:extraMains", mains);
}

/** Sets a list or object config value, written to the stack file (the Automation API's setConfig takes strings only). */
export function setStructuredConfig(proj: ReleaseProject, key: string, value: unknown): void {
  const file = join(proj.stack.workspace.workDir, `Pulumi.${proj.stack.name}.yaml`);
  const doc = YAML.parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
  doc.config[key] = value;
  writeFileSync(file, YAML.stringify(doc));
}

export function baseline(p: Platform, run: number): number {
  const tree = fixtureCopy(0);
  const id = uniqueId("base");
  const sha7 = tree.git("rev-parse", "--short=7", "HEAD").trim();
  const env = {
    ...p.env,
    SRC: tree.dir,
    DIST: join(tree.dir, "dist", "release"),
    VERSION: `0.0.0-main-${sha7}-b${run}`,
    CHART_VERSION: `0.1.0-main.${run + 1}`,
    REGISTRY: p.state.registry.address,
    ORG: id,
    BUILDKIT_ADDR: `unix://${p.state.buildkit.socket}`,
    NAMESPACE: `splai-${id}`,
    REGISTRY_USERNAME: p.state.registry.username,
    REGISTRY_PASSWORD: p.state.registry.password,
    KUBECONFIG: p.state.kubeconfig,
  };
  const t0 = Date.now();
  const r = spawnSync("bash", [join(repoRoot, "bench", "baseline.sh")], {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const seconds = (Date.now() - t0) / 1000;
  if (r.status !== 0) throw new UserError(`baseline.sh failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  spawnSync("helm", ["uninstall", "splai", "-n", env.NAMESPACE, "--wait"], { env, stdio: "ignore" });
  spawnSync("kubectl", ["delete", "namespace", env.NAMESPACE, "--wait=false"], { env, stdio: "ignore" });
  rmSync(tree.dir, { recursive: true, force: true });
  return seconds;
}

/**
 * The engine's floor: a no-op `up` of a TypeScript Pulumi program with no resources, run the way this project runs
 * (same runtime options, node_modules and backend kind). No release program can do a no-op `up` in less.
 */
export async function engineFloor(p: Platform, runs: number): Promise<number[]> {
  const dir = mkdtempSync(join(repoRoot, ".state", "bench-floor-"));
  const state = join(dir, "state");
  mkdirSync(state);
  try {
    // Run the way this project runs: program.js loads TypeScript through ts-loader.js (see there).
    writeFileSync(
      join(dir, "Pulumi.yaml"),
      "name: splai-floor\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
    );
    // Its own package.json: without one the language host would run the nearest one's main, this project's program.
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "splai-floor", main: "program.js" }));
    cpSync(join(repoRoot, "ts-loader.js"), join(dir, "ts-loader.js"));
    writeFileSync(
      join(dir, "program.js"),
      'require("./ts-loader").register();\nmodule.exports = require("./index.ts");\n',
    );
    writeFileSync(
      join(dir, "index.ts"),
      'import * as pulumi from "@pulumi/pulumi";\nexport const stack = pulumi.getStack();\n',
    );
    const envVars = {
      ...(p.env as Record<string, string>),
      PULUMI_BACKEND_URL: fileBackendUrl(state),
      PULUMI_CONFIG_PASSPHRASE: "floor",
    };
    const stack = await LocalWorkspace.createStack({ stackName: "floor", workDir: dir }, { envVars });
    await timed(stack, "up");
    const seconds: number[] = [];
    for (let i = 0; i < runs; i++) seconds.push((await timed(stack, "up")).seconds);
    return seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The guide's procedure has no GitHub step and attaches no SBOM or provenance: the program does the same work.
export const BENCH_CONFIG = {
  "splai-release:githubRelease": { value: "false" },
  "splai-release:attestations": { value: "false" },
};

/** The toolchain (with `toolchainArgs`, such as --bench) and the local platform; the platform's env set. */
export function benchPlatform(scope: string, toolchainArgs: string[] = []): Platform {
  for (const [what, args] of [
    ["toolchain", ["tools/toolchain/main.ts", ...toolchainArgs]],
    ["platform", ["tools/platform/main.ts", "up"]],
  ] as const) {
    info(scope, what);
    const r = spawnSync(process.execPath, ["--import", "tsx", ...args], { cwd: repoRoot, stdio: "inherit" });
    if (r.status !== 0) throw new UserError(`${what} failed`);
  }
  Object.assign(process.env, platformEnv(requirePlatform()));
  return platform();
}
