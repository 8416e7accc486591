// `npm run bench:host`: the engine floor and the no-op `up` with the engine's own Go language host, set beside the last
// quiet figures taken with the retired Node.js host (bench/results.md of 2026-11-27), in bench/host.md and host.json.
// Same scenarios as `npm run bench`: an empty TypeScript program's no-op `up`, and the fixture release's second `up`.
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { info, runMain } from "../tools/lib/log";
import { repoRoot } from "../tools/lib/paths";
import { releaseProject } from "../tools/lib/release-project";
import { round, stats, timed, type Stats } from "./measure";
import { BENCH_CONFIG, benchPlatform, engineFloor } from "./scenarios";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** The Node.js host's figures (bench/results.md, measured 2026-11-27 by `npm run bench`, 3 runs, quiet machine). */
const BEFORE = {
  host: "Node.js reimplementation (toolchain/tools/pulumi-language-nodejs/host.js, retired)",
  floor: { median: 3.9, min: 3.8, max: 4.1 },
  noop: { median: 8.4, min: 8, max: 9.2 },
};

function hostVersion(env: NodeJS.ProcessEnv): string {
  const r = spawnSync("pulumi-language-nodejs", ["-version"], { env, encoding: "utf8" });
  return (r.stdout || r.stderr).trim();
}

runMain(async () => {
  const p = benchPlatform("bench:host");
  const loadBefore = loadavg();
  info("bench:host", `engine floor: ${RUNS} no-op ups of an empty program`);
  const floor = stats(await engineFloor(p, RUNS));
  info("bench:host", `  floor ${round(floor.median)}s`);
  const proj = await releaseProject(p, { config: BENCH_CONFIG });
  const noops: number[] = [];
  try {
    info("bench:host", "full release (fresh stack), then the no-ops");
    await timed(proj.stack, "up");
    for (let i = 0; i < RUNS; i++) {
      noops.push((await timed(proj.stack, "up")).seconds);
      info("bench:host", `  no-op ${i + 1}/${RUNS}: ${round(noops[i])}s`);
    }
  } finally {
    await proj.cleanup();
  }
  const noop = stats(noops);
  const after = { host: `engine's Go host (pulumi-language-nodejs ${hostVersion(process.env)})`, floor, noop };
  const row = (what: string, b: { median: number; min: number; max: number }, a: Stats): string =>
    `| ${what} | ${b.median} (${b.min}–${b.max}) | ${round(a.median)} (${round(a.min)}–${round(a.max)}) | ${round(a.median - b.median)} |`;
  const md = [
    "# Language host: before and after",
    "",
    `Measured ${new Date().toISOString()} by \`npm run bench:host\`, ${RUNS} runs each (median, min–max, seconds).`,
    `Load average before: ${loadBefore.map((x) => x.toFixed(2)).join(" ")}; after: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}.`,
    "",
    `Before: ${BEFORE.host}, figures of bench/results.md (2026-11-27, quiet machine).`,
    `After: ${after.host}.`,
    "",
    "| scenario | before | after | after − before |",
    "| --- | ---: | ---: | ---: |",
    row("engine floor: no-op `up` of an empty TypeScript program", BEFORE.floor, floor),
    row("no-op: second `up` of the fixture release", BEFORE.noop, noop),
    "",
  ].join("\n");
  writeFileSync(join(repoRoot, "bench", "host.md"), md);
  writeFileSync(join(repoRoot, "bench", "host.json"), JSON.stringify({ runs: RUNS, before: BEFORE, after }, null, 2));
  process.stdout.write(md);
});
