// The bench's results from every run's samples: ratios, targets, phases and timelines, as JSON and as Markdown.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../tools/lib/paths";
import { PHASES, round, stats, TIMELINE, type Phase, type Stats, type Timed, type Timeline } from "./measure";

/** What the runs measured: per run, one sample in each list (seconds, or a timed update). */
export interface Samples {
  runs: number;
  scales: number[];
  floor: Stats;
  base: number[];
  full: Timed[];
  noop: Timed[];
  one: Timed[];
  preview: Timed[];
  scale: Record<number, { full: Timed[]; noop: Timed[] }>;
}

/** Writes bench/results.json and bench/results.md; returns the Markdown. */
export function writeResults({ runs, scales, floor, base, full, noop, one, preview, scale }: Samples): string {
  const sec = (xs: Timed[]): Stats => stats(xs.map((x) => x.seconds));
  const B = stats(base);
  const F = sec(full);
  const N = sec(noop);
  const O = sec(one);
  const P = sec(preview);
  const scaleStats = Object.fromEntries(scales.map((n) => [n, { full: sec(scale[n].full), noop: sec(scale[n].noop) }]));
  const noopBuilds = noop.map((x) => x.changed.length);
  const oneChanged = [...new Set(one.flatMap((x) => x.changed))].sort();
  const otherServiceRebuilt = oneChanged.filter(
    (n) => /images-|binaries-/.test(n) && !n.includes("planner") && !n.includes("sha256sums"),
  );
  const lo = Math.min(...scales);
  const hi = Math.max(...scales);
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
    runs,
    machine,
    seconds: { baseline: B, full: F, noop: N, oneService: O, preview: P, scale: scaleStats, engineFloor: floor },
    ratios: {
      fullToBaseline: F.median / B.median,
      noopToFull: N.median / F.median,
      oneToFull: O.median / F.median,
      previewToFull: P.median / F.median,
      scale: Object.fromEntries(scales.map((n) => [n, scaleStats[n].full.median / scaleStats[lo].full.median])),
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
    `Measured ${results.date} by \`npm run bench\` on the fixture tree and the local platform, ${runs} runs each (median, min, max in seconds).`,
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
    ...scales.flatMap((n) => [
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
  return md;
}
