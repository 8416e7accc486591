// `npm run bench:profile`: where a no-op `up` of the fixture release spends its time: the timeline, the slowest resource
// steps, and the program's own CPU profile (SPLAI_PROFILE). Writes bench/profile.md and bench/profile.json.
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
  } finally {
    await proj.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  const result = { date: new Date().toISOString(), load: round(load), noop, cpu };
  writeFileSync(join(repoRoot, "bench", "profile.json"), `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    "# Where a no-op `up` goes",
    "",
    `Measured ${result.date} by \`npm run bench:profile\`: a no-op \`up\` of the fixture release (the bench's config), load`,
    `average ${result.load} at its start. The program ran with SPLAI_PROFILE (program.js writes a V8 CPU profile).`,
    "",
    `No-op: ${round(noop.seconds)} s, ${noop.changed.length} changes. Timeline: ${TIMELINE.map((k) => `${k} ${round(noop.timeline[k])} s`).join(", ")}.`,
    "",
    "## Slowest resource steps (pre-event to outputs; they overlap)",
    "",
    "| resource | op | seconds |",
    "| --- | --- | ---: |",
    ...(noop.slowest ?? []).map((r) => `| ${r.name} | ${r.op} | ${r.seconds} |`),
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
