// `npm run bench:fleet`: a 20-service release built on one BuildKit node and on the platform's two-node fleet
// (one daemon per platform), BENCH_RUNS each, alternating; writes bench/fleet.md and bench/fleet.json.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { info, runMain, UserError } from "../tools/lib/log";
import { repoRoot } from "../tools/lib/paths";
import { platform, type Platform } from "../tools/lib/platform-client";
import { releaseProject } from "../tools/lib/release-project";
import { fleetEndpoints } from "../tools/platform/state";
import { round, stats, timed, type Stats } from "./measure";
import { addServices, BENCH_CONFIG, benchPlatform } from "./scenarios";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SERVICES = 20;
/** What is compared is where images are built: no deployment, only the binaries the images need. */
const CONFIG: ConfigMap = {
  ...BENCH_CONFIG,
  "splai-release:deploy": { value: "false" },
  "splai-release:homebrewTap": { value: "none" },
};
const LISTS: ConfigMap = {
  "splai-release:binaryTargets[0]": { value: "linux/amd64" },
  "splai-release:binaryTargets[1]": { value: "linux/arm64" },
  "splai-release:linuxPackages[0]": { value: "deb" },
};

type Mode = "one node" | "two nodes";
interface Run {
  mode: Mode;
  seconds: number;
  /** Span of the image builds and pushes (docker-build Images), seconds. */
  images: number;
  load: number[];
}

/** One fresh 20-service release (its own stack and tree, so nothing is a no-op), timed. */
async function release(p: Platform, mode: Mode): Promise<Run> {
  const proj = await releaseProject(p, { config: CONFIG });
  try {
    await proj.stack.setAllConfig(LISTS, true);
    addServices(proj, SERVICES - 5);
    if (mode === "two nodes") {
      await proj.stack.removeConfig("splai-release:builder");
      const endpoints = fleetEndpoints(p.state);
      await proj.stack.setAllConfig(
        Object.fromEntries(endpoints.map((e, i) => [`splai-release:builderEndpoints[${i}]`, { value: e }])),
        true,
      );
    }
    const load = loadavg();
    const t = await timed(proj.stack, "up");
    return { mode, seconds: round(t.seconds), images: t.phases["image build+push"] ?? 0, load };
  } finally {
    await proj.cleanup();
  }
}

runMain(async () => {
  let p = benchPlatform("bench:fleet");
  if (fleetEndpoints(p.state).length === 0) {
    info("bench:fleet", "starting the BuildKit fleet (platform up --fleet)");
    const r = spawnSync(process.execPath, ["--import", "tsx", "tools/platform/main.ts", "up", "--fleet"], {
      cwd: repoRoot,
      stdio: "inherit",
    });
    if (r.status !== 0) throw new UserError("platform up --fleet failed");
    p = platform();
  }
  const loadBefore = loadavg();
  const runs: Run[] = [];
  // Alternating, so a change in the machine's load falls on both.
  for (let i = 0; i < RUNS; i++) {
    for (const mode of ["one node", "two nodes"] as const) {
      info("bench:fleet", `${mode}, run ${i + 1}/${RUNS}: a fresh ${SERVICES}-service release`);
      const r = await release(p, mode);
      runs.push(r);
      info("bench:fleet", `  ${r.seconds}s (images ${r.images}s), load ${r.load.map((x) => x.toFixed(2)).join(" ")}`);
    }
  }
  const loadAfter = loadavg();
  const by = (mode: Mode, key: "seconds" | "images"): Stats =>
    stats(runs.filter((r) => r.mode === mode).map((r) => r[key]));
  const cell = (s: Stats): string => `${round(s.median)} (${round(s.min)}–${round(s.max)})`;
  const result = {
    measured: new Date().toISOString(),
    runs: RUNS,
    services: SERVICES,
    cpus: cpus().length,
    loadBefore,
    loadAfter,
    oneNode: { release: by("one node", "seconds"), images: by("one node", "images") },
    twoNodes: { release: by("two nodes", "seconds"), images: by("two nodes", "images") },
    samples: runs,
  };
  const fmt = (l: number[]): string => l.map((x) => x.toFixed(2)).join(" ");
  const md = [
    "# BuildKit fleet: one node and two",
    "",
    `Measured ${result.measured} by \`npm run bench:fleet\`: ${RUNS} fresh releases each (alternating) of the fixture`,
    `with ${SERVICES - 5} synthetic services (${SERVICES} images, linux/amd64 and linux/arm64), on ${result.cpus} cores.`,
    `Seconds, median (min–max). Load average before: ${fmt(loadBefore)}; after: ${fmt(loadAfter)}.`,
    "",
    "| builder | whole `up` | image builds and pushes |",
    "| --- | ---: | ---: |",
    `| one node (the platform's buildkitd, both platforms) | ${cell(result.oneNode.release)} | ${cell(result.oneNode.images)} |`,
    `| two nodes (\`builderEndpoints\`: the fleet's amd64 and arm64 daemons) | ${cell(result.twoNodes.release)} | ${cell(result.twoNodes.images)} |`,
    "",
    "Each run is a new stack and tree, so everything is built (the Go build cache and BuildKit's caches stay warm, as",
    "on a CI runner that keeps them). Image builds and pushes is the span from the first docker-build Image to the last;",
    "with two nodes there are two Images per service (one per platform) and the index is made by an Index after them,",
    "counted in the whole `up` only. Deployment, GitHub release and attestations are off.",
    "",
    "## What this does and does not show",
    "",
    "Both daemons of the fleet run on the same two cores as the platform's own buildkitd, the engine, the Go builds",
    "and the other session using this machine: a second node adds no CPU, so no speed-up is expected, and the",
    "difference is the cost of the fleet's layout (twice the docker-build Images, an Index per tag, two daemons",
    "receiving the build context) within the noise of a shared machine. The arm64 images are built without",
    "emulation on both layouts: a ko-style image only COPYs prebuilt binaries, so BuildKit executes nothing.",
    "",
    "A real fleet would change three things: each node brings its own CPUs, disk and network, so the platforms' builds",
    "and pushes run in parallel instead of sharing two cores; a native arm64 node can run what an amd64 node would need",
    "QEMU for (a Dockerfile with `RUN`, the SBOM scanner of arm64 images, tests in the image); and the context upload",
    "and the push cross a network, so the split pays for itself only when building, not copying, dominates. Here the",
    "images are small COPY layers and the Go builds (outside BuildKit) dominate, so even a real fleet would shorten",
    "mostly the image phase.",
    "",
  ].join("\n");
  writeFileSync(join(repoRoot, "bench", "fleet.md"), md);
  writeFileSync(join(repoRoot, "bench", "fleet.json"), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(md);
});
