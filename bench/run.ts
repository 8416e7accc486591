// `npm run bench`: splai-release against the release guide's sequential procedure on the same work, on the fixture tree
// and the local platform. Writes bench/results.md and bench/results.json; every figure is a median of BENCH_RUNS runs.
import { LocalWorkspace, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import * as YAML from "yaml";
import { fileBackendUrl } from "../tools/lib/backend";
import { info, runMain, UserError } from "../tools/lib/log";
import { repoRoot } from "../tools/lib/paths";
import { platformEnv, requirePlatform } from "../tools/platform/state";
import { platform, type Platform } from "../test/support/platform";
import { gitIn, releaseProject, uniqueId, type ReleaseProject } from "../test/support/project";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SCALES = (process.env.BENCH_SCALES ?? "5,10,20").split(",").map(Number);

interface Stats {
  median: number;
  min: number;
  max: number;
  samples: number[];
}
const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1], samples: xs };
};
const round = (x: number): number => Math.round(x * 10) / 10;

/** Wall time of each phase of an update, from the engine's events (phases overlap; spans are first start to last end). */
type Phase =
  | "go build"
  | "image context"
  | "image build+push"
  | "chart"
  | "helm release"
  | "verification"
  | "guards"
  | "github"
  | "other";
const PHASES: Phase[] = [
  "go build",
  "image context",
  "guards",
  "image build+push",
  "chart",
  "helm release",
  "verification",
  "github",
  "other",
];
function phaseOf(urn: string): Phase | undefined {
  const name = urn.split("::").pop() ?? "";
  // A child's type is `<parent type>$<own type>`: classify by its own.
  const type = (urn.split("::")[2] ?? "").split("$").pop() ?? "";
  if (type === "pulumi:pulumi:Stack" || type.startsWith("splai:")) return undefined;
  if (name.startsWith("binaries-")) return "go build";
  if (name.endsWith("-context")) return "image context";
  if (type.endsWith("docker-build:index:Image")) return "image build+push";
  if (name.endsWith("-immutable") || name.startsWith("guard-")) return "guards";
  if (name.startsWith("chart-")) return "chart";
  if (type.includes("helm.sh/v3:Release")) return "helm release";
  if (name.startsWith("github-")) return "github";
  if (name.startsWith("verify-")) return "verification";
  if (type.startsWith("pulumi:providers:") || type.includes("kubernetes:core")) return "other";
  return "other";
}

interface Timed {
  seconds: number;
  /** Resources whose operation was not `same`. */
  changed: string[];
  /** Seconds from the call to the first resource event: CLI, engine, language host and program start. */
  startup: number;
  phases: Partial<Record<Phase, number>>;
  /** Wall-clock split of the run: engine start, program and providers, resource steps, finish. */
  timeline: Timeline;
}

/** Where one run's wall time goes, in sequence (seconds): they add up to the run's time. */
interface Timeline {
  /** The call to the engine's first event: CLI, engine, language host start. */
  engine: number;
  /** First event to the first step of a custom resource: the program's evaluation, plugins and provider configuration. */
  program: number;
  /** First to last step of a custom resource: diffs, builds, pushes, the deployment. */
  steps: number;
  /** Last step to the end of the call: outputs, state written, plugins stopped. */
  finish: number;
}
const TIMELINE: (keyof Timeline)[] = ["engine", "program", "steps", "finish"];

async function timed(stack: Stack, what: "up" | "preview"): Promise<Timed> {
  const t0 = Date.now();
  let first: number | undefined;
  let firstStep: number | undefined;
  let lastStep: number | undefined;
  const isCustom = (urn: string): boolean => {
    const type = (urn.split("::")[2] ?? "").split("$").pop() ?? "";
    return type !== "pulumi:pulumi:Stack" && !type.startsWith("splai:") && !type.startsWith("pulumi:providers:");
  };
  const spans = new Map<string, { start: number; end?: number; op?: string }>();
  const onEvent = (e: EngineEvent): void => {
    const now = Date.now();
    if (e.resourcePreEvent) {
      first ??= now;
      const m = e.resourcePreEvent.metadata;
      if (isCustom(m.urn)) firstStep ??= now;
      spans.set(m.urn, { start: now, op: m.op });
    }
    if (e.resOutputsEvent) {
      const m = e.resOutputsEvent.metadata;
      if (isCustom(m.urn)) lastStep = now;
      const s = spans.get(m.urn) ?? { start: now };
      spans.set(m.urn, { ...s, end: now, op: m.op });
    }
  };
  if (what === "up") {
    const r = await stack.up({ onEvent });
    if (r.summary.result !== "succeeded") throw new Error(`up ${r.summary.result}`);
  } else await stack.preview({ diff: true, onEvent });
  const end = Date.now();
  const seconds = (end - t0) / 1000;
  const f = first ?? end;
  const fs = firstStep ?? f;
  const ls = lastStep ?? fs;
  const timeline: Timeline = {
    engine: (f - t0) / 1000,
    program: (fs - f) / 1000,
    steps: (ls - fs) / 1000,
    finish: (end - ls) / 1000,
  };
  const phases: Partial<Record<Phase, { start: number; end: number }>> = {};
  const changed: string[] = [];
  for (const [urn, s] of spans) {
    if (s.op !== "same" && s.op !== "read" && !urn.includes("pulumi:pulumi:Stack"))
      changed.push(urn.split("::").pop()!);
    const ph = phaseOf(urn);
    if (!ph || s.op === "same" || s.end === undefined) continue;
    const cur = phases[ph];
    phases[ph] = { start: Math.min(cur?.start ?? s.start, s.start), end: Math.max(cur?.end ?? s.end, s.end) };
  }
  return {
    seconds,
    changed: changed.sort(),
    startup: ((first ?? Date.now()) - t0) / 1000,
    timeline,
    phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round((v.end - v.start) / 1000)])),
  };
}

/** A fresh git copy of the fixture, with `extra` synthetic services (copies of the planner) added. */
function fixtureCopy(extra: number): {
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
function addServices(proj: ReleaseProject, extra: number): void {
  const mains = synthesize(proj.source, extra);
  proj.git("add", "-A");
  proj.git("commit", "-qm", `${extra} synthetic services`);
  const file = join(proj.stack.workspace.workDir, `Pulumi.${proj.stack.name}.yaml`);
  const doc = YAML.parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
  doc.config["splai-release:extraMains"] = mains;
  writeFileSync(file, YAML.stringify(doc));
}

function baseline(p: Platform, run: number): number {
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
async function engineFloor(p: Platform): Promise<number[]> {
  const dir = mkdtempSync(join(repoRoot, ".state", "bench-floor-"));
  const state = join(dir, "state");
  mkdirSync(state);
  try {
    // Run the way this project runs: program.js loads TypeScript through tsx's require hook (see there).
    writeFileSync(
      join(dir, "Pulumi.yaml"),
      "name: splai-floor\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
    );
    // Its own package.json: without one the language host would run the nearest one's main, this project's program.
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "splai-floor", main: "program.js" }));
    writeFileSync(join(dir, "program.js"), 'require("tsx/cjs");\nmodule.exports = require("./index.ts");\n');
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
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push((await timed(stack, "up")).seconds);
    return runs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The guide's procedure has no GitHub step and attaches no SBOM or provenance: the program does the same work.
const BENCH_CONFIG = {
  "splai-release:githubRelease": { value: "false" },
  "splai-release:attestations": { value: "false" },
};

runMain(async () => {
  const node = process.execPath;
  for (const [what, args] of [
    ["toolchain", ["tools/toolchain/main.ts"]],
    ["platform", ["tools/platform/main.ts", "up"]],
  ] as const) {
    info("bench", what);
    const r = spawnSync(node, ["--import", "tsx", ...args], { cwd: repoRoot, stdio: "inherit" });
    if (r.status !== 0) throw new UserError(`${what} failed`);
  }
  Object.assign(process.env, platformEnv(requirePlatform()));
  const p = platform();

  const base: number[] = [];
  const full: Timed[] = [];
  const noop: Timed[] = [];
  const one: Timed[] = [];
  const preview: Timed[] = [];
  const scale: Record<number, { full: Timed[]; noop: Timed[] }> = {};
  for (const n of SCALES) scale[n] = { full: [], noop: [] };

  info("bench", `engine floor: ${RUNS} no-op ups of an empty program`);
  const floor = stats(await engineFloor(p));
  info("bench", `  floor ${round(floor.median)}s`);

  for (let i = 0; i < RUNS; i++) {
    info("bench", `run ${i + 1}/${RUNS}: baseline (bench/baseline.sh)`);
    base.push(baseline(p, i));
    info("bench", `  baseline ${round(base[i])}s`);

    const proj = await releaseProject(p, { config: BENCH_CONFIG });
    try {
      info("bench", `run ${i + 1}/${RUNS}: full release (fresh stack)`);
      full.push(await timed(proj.stack, "up"));
      info("bench", `run ${i + 1}/${RUNS}: no-op up`);
      noop.push(await timed(proj.stack, "up"));
      info("bench", `run ${i + 1}/${RUNS}: one service changed`);
      // Branch versions carry the commit (0.0.0-main-<sha7>), so a commit would re-version every binary. Pin the
      // commit the version is computed from: the edit is then the only change, as in a rebuild of one fix.
      await proj.stack.setConfig("splai-release:sha", { value: proj.git("rev-parse", "HEAD") });
      await proj.stack.setConfig("splai-release:buildNumber", { value: "1" });
      const file = join(proj.source, "cmd", "planner", "main.go");
      writeFileSync(
        file,
        readFileSync(file, "utf8").replace('log.Printf("store=%s"', `log.Printf("bench ${i} store=%s"`),
      );
      proj.git("commit", "-qam", "planner change");
      one.push(await timed(proj.stack, "up"));
      info("bench", `run ${i + 1}/${RUNS}: preview --diff after a version bump`);
      await proj.stack.removeConfig("splai-release:sha");
      await proj.stack.removeConfig("splai-release:buildNumber");
      proj.git("commit", "-q", "--allow-empty", "-m", "version bump");
      preview.push(await timed(proj.stack, "preview"));
      info(
        "bench",
        `  full ${round(full[i].seconds)}s, no-op ${round(noop[i].seconds)}s, one ${round(one[i].seconds)}s, preview ${round(preview[i].seconds)}s`,
      );
    } finally {
      await proj.cleanup();
    }
    if (SCALES.includes(5)) {
      scale[5].full.push(full[i]);
      scale[5].noop.push(noop[i]);
    }
    for (const n of SCALES.filter((x) => x !== 5)) {
      info("bench", `run ${i + 1}/${RUNS}: scale ${n} services`);
      const sp = await releaseProject(p, { config: BENCH_CONFIG });
      try {
        addServices(sp, n - 5);
        scale[n].full.push(await timed(sp.stack, "up"));
        scale[n].noop.push(await timed(sp.stack, "up"));
        info(
          "bench",
          `  ${n} services: full ${round(scale[n].full[i].seconds)}s, no-op ${round(scale[n].noop[i].seconds)}s`,
        );
      } finally {
        await sp.cleanup();
      }
    }
  }

  const sec = (xs: Timed[]): Stats => stats(xs.map((x) => x.seconds));
  const B = stats(base);
  const F = sec(full);
  const N = sec(noop);
  const O = sec(one);
  const P = sec(preview);
  const scaleStats = Object.fromEntries(SCALES.map((n) => [n, { full: sec(scale[n].full), noop: sec(scale[n].noop) }]));
  const noopBuilds = noop.map((x) => x.changed.length);
  const oneChanged = [...new Set(one.flatMap((x) => x.changed))].sort();
  const otherServiceRebuilt = oneChanged.filter(
    (n) => /images-|binaries-/.test(n) && !n.includes("planner") && !n.includes("sha256sums"),
  );
  const lo = Math.min(...SCALES);
  const hi = Math.max(...SCALES);
  const targets = [
    { name: "full release ≤ 0.7 × baseline", value: F.median / B.median, limit: 0.7, extra: true },
    {
      name: "no-op ≤ 0.1 × full release, zero builds",
      value: N.median / F.median,
      limit: 0.1,
      extra: noopBuilds.every((b) => b === 0),
    },
    {
      name: "one service ≤ 0.4 × full release, only it rebuilt",
      value: O.median / F.median,
      limit: 0.4,
      extra: otherServiceRebuilt.length === 0,
    },
    {
      name: `${hi} services ≤ 3 × ${lo} services (full release)`,
      value: scaleStats[hi].full.median / scaleStats[lo].full.median,
      limit: 3,
      extra: true,
    },
  ].map((t) => ({ ...t, value: Math.round(t.value * 1000) / 1000, met: t.value <= t.limit && t.extra }));

  const version = (cmd: string, args: string[]): string =>
    (spawnSync(cmd, args, { encoding: "utf8" }).stdout ?? "").split("\n")[0].trim();
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: round(totalmem() / 2 ** 30),
    loadAverageAtEnd: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
    node: process.version,
    go: version("go", ["version"]),
    pulumi: version("pulumi", ["version"]),
    helm: version("helm", ["version", "--short"]),
    buildctl: version("buildctl", ["--version"]),
  };
  const phaseMedian = (xs: Timed[]): Record<string, number> => {
    const keys = [...new Set(xs.flatMap((x) => Object.keys(x.phases)))];
    return Object.fromEntries(keys.map((k) => [k, stats(xs.map((x) => x.phases[k as Phase] ?? 0)).median]));
  };
  const breakdown = {
    "full release": { startup: stats(full.map((x) => x.startup)).median, ...phaseMedian(full) },
    "no-op": { startup: stats(noop.map((x) => x.startup)).median, ...phaseMedian(noop) },
    "one service": { startup: stats(one.map((x) => x.startup)).median, ...phaseMedian(one) },
    [`full, ${hi} services`]: {
      startup: stats(scale[hi].full.map((x) => x.startup)).median,
      ...phaseMedian(scale[hi].full),
    },
  };
  const timelineMedian = (xs: Timed[]): Timeline =>
    Object.fromEntries(TIMELINE.map((k) => [k, stats(xs.map((x) => x.timeline[k])).median])) as unknown as Timeline;
  const timelines: Record<string, Timeline> = {
    "full release": timelineMedian(full),
    "no-op": timelineMedian(noop),
    "one service": timelineMedian(one),
    preview: timelineMedian(preview),
    [`full, ${hi} services`]: timelineMedian(scale[hi].full),
  };
  const fixedCost = timelines["no-op"].engine + timelines["no-op"].program + timelines["no-op"].finish;
  const results = {
    date: new Date().toISOString(),
    runs: RUNS,
    machine,
    seconds: { baseline: B, full: F, noop: N, oneService: O, preview: P, scale: scaleStats, engineFloor: floor },
    ratios: {
      fullToBaseline: F.median / B.median,
      noopToFull: N.median / F.median,
      oneToFull: O.median / F.median,
      previewToFull: P.median / F.median,
      scale: Object.fromEntries(SCALES.map((n) => [n, scaleStats[n].full.median / scaleStats[lo].full.median])),
    },
    noopChanges: noopBuilds,
    oneServiceChanged: oneChanged,
    targets,
    breakdown,
    timelines,
  };
  writeFileSync(join(repoRoot, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);

  const row = (name: string, s: Stats, ratio: string): string =>
    `| ${name} | ${round(s.median)} | ${round(s.min)} | ${round(s.max)} | ${ratio} |`;
  const md = [
    "# splai-release benchmarks",
    "",
    `Measured ${results.date} by \`npm run bench\` on the fixture tree and the local platform, ${RUNS} runs each (median, min, max in seconds).`,
    `Machine: ${machine.cores} cores (${machine.cpu ?? "?"}), ${machine.memoryGiB} GiB; load average at the end ${machine.loadAverageAtEnd}.`,
    `Tools: ${machine.pulumi ? `pulumi ${machine.pulumi}` : ""}, ${machine.go}, helm ${machine.helm}, ${machine.buildctl}, node ${machine.node}.`,
    "",
    "The program's stacks run with `githubRelease: false` and `attestations: false`, because the guide's procedure has no GitHub step and attaches no SBOM or provenance; otherwise both do the same work:",
    "18 binaries, SHA256SUMS, five two-platform images built from the binaries and pushed, the chart packaged and pushed with `latest`, and the Helm release rolled out.",
    "",
    "| scenario | median | min | max | ratio |",
    "| --- | ---: | ---: | ---: | --- |",
    row("baseline: `bench/baseline.sh` (the guide, sequential)", B, "1"),
    row("full release: fresh stack, `pulumi up`", F, `${(F.median / B.median).toFixed(2)} × baseline`),
    row("no-op: second `up`", N, `${(N.median / F.median).toFixed(2)} × full`),
    row("one service changed (planner)", O, `${(O.median / F.median).toFixed(2)} × full`),
    row("`preview --diff` after a version bump", P, `${(P.median / F.median).toFixed(2)} × full`),
    row(
      "engine floor: no-op `up` of an empty TypeScript program",
      floor,
      `${(floor.median / F.median).toFixed(2)} × full`,
    ),
    ...SCALES.flatMap((n) => [
      row(
        `scale: ${n} services, full release`,
        scaleStats[n].full,
        `${(scaleStats[n].full.median / scaleStats[lo].full.median).toFixed(2)} × ${lo} services`,
      ),
      row(
        `scale: ${n} services, no-op`,
        scaleStats[n].noop,
        `${(scaleStats[n].noop.median / scaleStats[lo].noop.median).toFixed(2)} × ${lo} services`,
      ),
    ]),
    "",
    "## Targets",
    "",
    "| target | measured | met |",
    "| --- | ---: | --- |",
    ...targets.map((t) => `| ${t.name} | ${t.value} | ${t.met ? "yes" : "**no**"} |`),
    "",
    `No-op changes per run: ${noopBuilds.join(", ")} (resources whose operation was not \`same\`).`,
    `One service changed, resources that changed (all runs): ${oneChanged.join(", ")}.`,
    "",
    "## Where the time goes (median seconds; phases overlap, each is its first start to its last end)",
    "",
    `| run | ${["startup", ...PHASES].join(" | ")} |`,
    `| --- | ${Array(PHASES.length + 1)
      .fill("---:")
      .join(" | ")} |`,
    ...Object.entries(breakdown).map(
      ([k, v]) =>
        `| ${k} | ${["startup", ...PHASES].map((c) => round((v as Record<string, number>)[c] ?? 0)).join(" | ")} |`,
    ),
    "",
    "`startup` is the time from the call to the first resource event: the Pulumi CLI, the engine, the plugins, the language host and the program.",
    "`other` covers the providers, the namespace and the components, from the first to the last of them.",
    "",
    "## Timeline of a run (median seconds, in sequence; the columns add up to the run)",
    "",
    `| run | ${TIMELINE.join(" | ")} | total |`,
    `| --- | ${Array(TIMELINE.length + 1)
      .fill("---:")
      .join(" | ")} |`,
    ...Object.entries(timelines).map(
      ([k, t]) =>
        `| ${k} | ${TIMELINE.map((c) => round(t[c])).join(" | ")} | ${round(TIMELINE.reduce((a, c) => a + t[c], 0))} |`,
    ),
    "",
    "- `engine`: the call to the engine's first event (CLI, engine, language host).",
    "- `program`: first event to the first step of a custom resource (the program's evaluation: modules, config, git, `go list`",
    "  and source hashing; plugin start and provider configuration).",
    "- `steps`: first to last step of a custom resource (diffs, builds, pushes, the deployment).",
    "- `finish`: last step to the end of the call (outputs, the state written, plugins stopped).",
    "",
    `Every \`up\` pays \`engine + program + finish\` (${round(fixedCost)} s in the no-op) before and after any work: that fixed cost alone is`,
    `${(fixedCost / F.median).toFixed(2)} × the full release, above the no-op target (0.1 ×), and the full release's steps alone take`,
    `${round(timelines["full release"].steps)} s of the baseline's ${round(B.median)} s.`,
    `The engine floor (a no-op \`up\` of a program with no resources, same CLI, runtime options and backend) is ${round(floor.median)} s,`,
    `${(floor.median / F.median).toFixed(2)} × the full release: the no-op target of 0.1 × (${round(0.1 * F.median)} s) is ${floor.median > 0.1 * F.median ? "below what `pulumi up` itself costs here" : "above that floor"}; the program's own share of the no-op is ${round(N.median - floor.median)} s.`,
    "",
  ].join("\n");
  writeFileSync(join(repoRoot, "bench", "results.md"), md);
  process.stdout.write(`${md}\n`);
});
