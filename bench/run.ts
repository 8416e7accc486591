// `npm run bench`: splai-release against the release guide's sequential procedure and against GoReleaser and ko on the
// same work, on the fixture tree and the local platform. Writes bench/results.md and bench/results.json; every figure is
// a median of BENCH_RUNS runs.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { repoRoot } from "../tools/lib/paths";
import { info, runMain } from "../tools/lib/log";
import { releaseProject } from "../tools/lib/release-project";
import { round, stats, timed, type Timed } from "./measure";
import { emptyPeerSamples, peerRun } from "./peers";
import { writeResults, type Samples } from "./report";
import { addServices, baseline, BENCH_CONFIG, benchPlatform, engineFloor } from "./scenarios";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SCALES = (process.env.BENCH_SCALES ?? "5,10,20").split(",").map(Number);

const SAMPLES = join(repoRoot, ".state", "bench", "samples.json");

runMain(async () => {
  const report = process.argv.indexOf("--report");
  if (report >= 0) {
    const file = process.argv[report + 1] ?? SAMPLES;
    process.stdout.write(`${writeResults(JSON.parse(readFileSync(file, "utf8")) as Samples)}\n`);
    return;
  }
  const p = benchPlatform("bench", ["--bench"]);
  const peers = emptyPeerSamples();

  const base: number[] = [];
  const full: Timed[] = [];
  const noop: Timed[] = [];
  const one: Timed[] = [];
  const preview: Timed[] = [];
  const scale: Record<number, { full: Timed[]; noop: Timed[] }> = {};
  for (const n of SCALES) scale[n] = { full: [], noop: [] };

  info("bench", `engine floor: ${RUNS} no-op ups of an empty program`);
  const floor = stats(await engineFloor(p, RUNS));
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
    await peerRun(p, i, peers);
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

  const samples: Samples = { runs: RUNS, scales: SCALES, floor, base, full, noop, one, preview, scale, peers };
  // Every sample first, so a report can be made again from them (`npm run bench -- --report <file>`).
  mkdirSync(dirname(SAMPLES), { recursive: true });
  writeFileSync(SAMPLES, JSON.stringify(samples));
  info("bench", `samples in ${SAMPLES}`);
  const md = writeResults(samples);
  process.stdout.write(`${md}\n`);
});
