// `npm run bench:profile`: where a no-op `up` of the fixture release spends its time (the timeline, the slowest resource
// steps, the program's own CPU profile from SPLAI_PROFILE), and the slowest steps of a one-service change. Writes bench/profile.md and bench/profile.json.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { info, runMain } from "../tools/lib/log";
import { repoRoot } from "../tools/lib/paths";
import { releaseProject } from "../tools/lib/release-project";
import { summarize, type CpuProfile, type CpuSummary } from "./cpuprofile";
import { round, TIMELINE, timed, type Timed } from "./measure";
import { BENCH_CONFIG, benchPlatform } from "./scenarios";

runMain(async () => {
  const p = benchPlatform("bench:profile");
  const dir = mkdtempSync(join(tmpdir(), "splai-profile-"));
  const proj = await releaseProject(p, { config: BENCH_CONFIG, env: { SPLAI_PROFILE: dir } });
  let noop: Timed;
  let cpu: CpuSummary;
  let one: Timed;
  const load = loadavg()[0];
  try {
    info("bench:profile", "full release (fresh stack)");
    await timed(proj.stack, "up");
    // Only the no-op's profile: the release's are dropped.
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    info("bench:profile", "no-op up, profiled");
    noop = await timed(proj.stack, "up");
    const [file] = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
    if (file === undefined) throw new Error(`the program wrote no CPU profile into ${dir}`);
    cpu = summarize(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile);
    info("bench:profile", "one service changed (planner), as npm run bench changes it");
    await proj.stack.setConfig("splai-release:sha", { value: proj.git("rev-parse", "HEAD") });
    await proj.stack.setConfig("splai-release:buildNumber", { value: "1" });
    const main = join(proj.source, "cmd", "planner", "main.go");
    writeFileSync(main, readFileSync(main, "utf8").replace('log.Printf("store=%s"', 'log.Printf("profile store=%s"'));
    proj.git("commit", "-qam", "planner change");
    one = await timed(proj.stack, "up");
  } finally {
    await proj.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  const result = { date: new Date().toISOString(), load: round(load), noop, one, cpu };
  writeFileSync(join(repoRoot, "bench", "profile.json"), `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    "# Where a no-op `up` goes",
    "",
    `Measured ${result.date} by \`npm run bench:profile\`: a no-op \`up\` of the fixture release (the bench's config), load`,
    `average ${result.load} at its start. The program ran with SPLAI_PROFILE (program.js writes a V8 CPU profile).`,
    "",
    `No-op: ${round(noop.seconds)} s, ${noop.changed.length} changes. Timeline: ${TIMELINE.map((k) => `${k} ${round(noop.timeline[k])} s`).join(", ")}.`,
    "",
    `One service changed (planner): ${round(one.seconds)} s. Timeline: ${TIMELINE.map((k) => `${k} ${round(one.timeline[k])} s`).join(", ")}.`,
    "",
    "## Slowest resource steps (pre-event to outputs; they overlap)",
    "",
    "| run | resource | op | seconds |",
    "| --- | --- | --- | ---: |",
    ...(noop.slowest ?? []).map((r) => `| no-op | ${r.name} | ${r.op} | ${r.seconds} |`),
    ...(one.slowest ?? []).map((r) => `| one service | ${r.name} | ${r.op} | ${r.seconds} |`),
    "",
    `## The program's process (${round(cpu.totalMs / 1000)} s profiled, from its start to its exit)`,
    "",
    "| self time in | ms |",
    "| --- | ---: |",
    ...cpu.byPackage.map((x) => `| ${x.name} | ${x.ms} |`),
    "",
    "| the program's own functions (inclusive) | ms |",
    "| --- | ---: |",
    ...cpu.ownInclusive.map((x) => `| \`${x.name}\` | ${x.ms} |`),
    "",
  ].join("\n");
  writeFileSync(join(repoRoot, "bench", "profile.md"), md);
  process.stdout.write(`${md}\n`);
});
