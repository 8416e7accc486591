// The bench's results from every run's samples: ratios, targets, phases and timelines, as JSON and as Markdown.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../tools/lib/paths";
import { PHASES, round, span, stats, TIMELINE, type Phase, type Stats, type Timed, type Timeline } from "./measure";
import type { PeerSamples, Sample } from "./peers";

/** The image step of an update: its image contexts staged and its images built and pushed, first start to last end. */
const imageStep = (t: Timed): number => span(t, ["image context", "image build+push"]);
const median = (xs: number[]): number => stats(xs).median;

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
  peers: PeerSamples;
}

/** Writes bench/results.json and bench/results.md; returns the Markdown. */
export function writeResults({ runs, scales, floor, base, full, noop, one, preview, scale, peers }: Samples): string {
  const sec = (xs: Timed[]): Stats => stats(xs.map((x) => x.seconds));
  const B = stats(base);
  const F = sec(full);
  const N = sec(noop);
  const O = sec(one);
  const P = sec(preview);
  const scaleStats = Object.fromEntries(scales.map((n) => [n, { full: sec(scale[n].full), noop: sec(scale[n].noop) }]));
  const noopBuilds = noop.map((x) => x.changed.length);
  const secs = (xs: Sample[]): Stats => stats(xs.map((x) => x.seconds));
  const GC = secs(peers.goreleaserCold);
  const GW = secs(peers.goreleaserWarm);
  const KO = secs(peers.ko);
  const SC = sec(peers.sameWorkCold);
  const SN = sec(peers.sameWorkNoop);
  const IM = stats(peers.sameWorkCold.map(imageStep));
  const load = (xs: number[]): number => round(median(xs));
  const oneChanged = [...new Set(one.flatMap((x) => x.changed))].sort();
  const otherServiceRebuilt = oneChanged.filter(
    (n) => /images-|binaries-/.test(n) && !n.includes("planner") && !n.includes("sha256sums"),
  );
  const lo = Math.min(...scales);
  const hi = Math.max(...scales);
  // Each target names the run it measures: a miss is shown with that run's timeline and slowest phases.
  const targets = [
    { name: "full release ≤ 0.7 × baseline", value: F.median / B.median, limit: 0.7, extra: true, run: "full release" },
    {
      name: "no-op ≤ 0.1 × full release, zero builds",
      value: N.median / F.median,
      limit: 0.1,
      extra: noopBuilds.every((b) => b === 0),
      run: "no-op",
    },
    {
      name: "one service ≤ 0.4 × full release, only it rebuilt",
      value: O.median / F.median,
      limit: 0.4,
      extra: otherServiceRebuilt.length === 0,
      run: "one service",
    },
    {
      name: `${hi} services ≤ 2.5 × ${lo} services (full release)`,
      value: scaleStats[hi].full.median / scaleStats[lo].full.median,
      limit: 2.5,
      extra: true,
      run: `full, ${hi} services`,
    },
    {
      name: "same work, cold: ours ≤ 0.8 × GoReleaser (empty Go build cache)",
      value: SC.median / GC.median,
      limit: 0.8,
      extra: true,
      run: "same work, cold",
    },
    {
      name: "same work, warm: our rerun (no-op `up`) ≤ 0.8 × GoReleaser's rerun",
      value: SN.median / GW.median,
      limit: 0.8,
      extra: true,
      run: "same work, no-op",
    },
    {
      name: "unchanged tree: our no-op `up` (whole release) ≤ 0.3 × GoReleaser's warm rerun",
      value: N.median / GW.median,
      limit: 0.3,
      extra: true,
      run: "no-op",
    },
    {
      name: `unchanged tree: our no-op \`up\` ≤ engine floor + 1.5 s (${round(floor.median + 1.5)} s), in seconds`,
      value: N.median,
      limit: floor.median + 1.5,
      extra: true,
      run: "no-op",
    },
    {
      name: "images: our image step ≤ 1.0 × ko alone, same five images",
      value: IM.median / KO.median,
      limit: 1,
      extra: true,
      run: "same work, cold",
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
    goreleaser: (spawnSync("goreleaser", ["--version"], { encoding: "utf8" }).stdout ?? "").match(
      /GitVersion:\s*(\S+)/,
    )?.[1],
    ko: version("ko", ["version"]),
  };
  const phaseMedian = (xs: Timed[]): Record<string, number> => {
    const keys = [...new Set(xs.flatMap((x) => Object.keys(x.phases)))];
    return Object.fromEntries(keys.map((k) => [k, stats(xs.map((x) => x.phases[k as Phase] ?? 0)).median]));
  };
  const breakdown = {
    "full release": { startup: stats(full.map((x) => x.startup)).median, ...phaseMedian(full) },
    "no-op": { startup: stats(noop.map((x) => x.startup)).median, ...phaseMedian(noop) },
    "one service": { startup: stats(one.map((x) => x.startup)).median, ...phaseMedian(one) },
    "same work, no-op": {
      startup: stats(peers.sameWorkNoop.map((x) => x.startup)).median,
      ...phaseMedian(peers.sameWorkNoop),
    },
    [`full, ${hi} services`]: {
      startup: stats(scale[hi].full.map((x) => x.startup)).median,
      ...phaseMedian(scale[hi].full),
    },
    "same work, cold": {
      startup: stats(peers.sameWorkCold.map((x) => x.startup)).median,
      ...phaseMedian(peers.sameWorkCold),
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
    "same work, cold": timelineMedian(peers.sameWorkCold),
    "same work, no-op": timelineMedian(peers.sameWorkNoop),
  };
  const fixedCost = timelines["no-op"].engine + timelines["no-op"].program + timelines["no-op"].finish;
  const results = {
    date: new Date().toISOString(),
    runs,
    machine,
    seconds: { baseline: B, full: F, noop: N, oneService: O, preview: P, scale: scaleStats, engineFloor: floor },
    peers: {
      goreleaserCold: { ...GC, load: load(peers.goreleaserCold.map((x) => x.load)) },
      goreleaserWarm: { ...GW, load: load(peers.goreleaserWarm.map((x) => x.load)) },
      ko: { ...KO, load: load(peers.ko.map((x) => x.load)) },
      sameWorkCold: { ...SC, load: load(peers.sameWorkLoad.cold) },
      sameWorkNoop: { ...SN, load: load(peers.sameWorkLoad.noop) },
      sameWorkImageStep: IM,
      ratios: {
        sameWorkColdToGoreleaserCold: SC.median / GC.median,
        sameWorkNoopToGoreleaserWarm: SN.median / GW.median,
        noopToGoreleaserWarm: N.median / GW.median,
        imageStepToKo: IM.median / KO.median,
        fullToGoreleaserCold: F.median / GC.median,
      },
    },
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

  /** For each missed target, where the time of the run it measures goes: its timeline and its slowest phases. */
  const misses = (): string[] => {
    const lines = targets.flatMap((t) => {
      if (t.met) return [];
      const key = t.run;
      const tl = timelines[key];
      const ph = (breakdown as Record<string, Record<string, number>>)[key] ?? {};
      const slow = Object.entries(ph)
        .filter(([k, v]) => k !== "startup" && v > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([k, v]) => `${k} ${round(v)} s`);
      return [
        `- ${t.name} (${key}): ${TIMELINE.map((c) => `${c} ${round(tl[c])} s`).join(", ")}${slow.length ? `; slowest phases: ${slow.join(", ")}` : ""}.`,
      ];
    });
    return lines.length
      ? ["Where the time of each missed target's run goes (median seconds):", "", ...lines]
      : ["Every target is met."];
  };
  const row = (name: string, s: Stats, ratio: string): string =>
    `| ${name} | ${round(s.median)} | ${round(s.min)} | ${round(s.max)} | ${ratio} |`;
  // Loads are sampled at the start of each run; a row without its own samples ran beside the others in the same runs.
  const peerRow = (name: string, s: Stats, loads: number[], ratio: string): string =>
    `| ${name} | ${round(s.median)} | ${round(s.min)} | ${round(s.max)} | ${loads.length ? load(loads) : "–"} | ${ratio} |`;
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
    "## Against GoReleaser and ko",
    "",
    `Same run, tree, machine and registry: GoReleaser ${machine.goreleaser ?? "?"} and ko ${machine.ko.replace(/^ko\s*/, "")}, from \`npm run toolchain -- --bench\`. GoReleaser runs`,
    "the `.goreleaser.yaml` bench/peers.ts writes: the six mains for linux/amd64, linux/arm64 and darwin/arm64 with the",
    "program's flags and ldflags, a tar.gz per target, SHA256SUMS, and the five images for two platforms pushed with `kos`",
    "on the program's base (scratch, CA certificates, non-root user), no SBOM. It runs `release --clean` on a tag with",
    "its GitHub release disabled, not `--snapshot`: a snapshot sends ko's images to a Docker daemon (`ko.local`), which",
    "this machine does not have. ko alone builds the five images from source, two platforms, pushed. The program's",
    "same-work stack is bench/same-work.ts: the same components and config as index.ts, without chart, deployment,",
    "GitHub release, packages, signing and attestations. Cold means an empty Go build cache for that tool; the program's",
    "warm rerun is a no-op `up`, GoReleaser's is `release --clean` again on the unchanged tree.",
    "",
    "| run | median | min | max | load (1 min) | ratio |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    peerRow(
      "GoReleaser, cold",
      GC,
      peers.goreleaserCold.map((x) => x.load),
      "1",
    ),
    peerRow(
      "splai-release, same work, cold",
      SC,
      peers.sameWorkLoad.cold,
      `${(SC.median / GC.median).toFixed(2)} × GoReleaser cold`,
    ),
    peerRow(
      "GoReleaser, warm rerun",
      GW,
      peers.goreleaserWarm.map((x) => x.load),
      `${(GW.median / GC.median).toFixed(2)} × GoReleaser cold`,
    ),
    peerRow(
      "splai-release, same work, no-op `up`",
      SN,
      peers.sameWorkLoad.noop,
      `${(SN.median / GW.median).toFixed(2)} × GoReleaser warm`,
    ),
    peerRow(
      "splai-release, whole release, no-op `up`",
      N,
      [],
      `${(N.median / GW.median).toFixed(2)} × GoReleaser warm`,
    ),
    peerRow(
      "splai-release, whole release (fresh stack, warm Go cache)",
      F,
      [],
      `${(F.median / GC.median).toFixed(2)} × GoReleaser cold`,
    ),
    peerRow(
      "ko alone, five images (warm Go cache)",
      KO,
      peers.ko.map((x) => x.load),
      "1",
    ),
    peerRow(
      "splai-release, image step of the same-work cold run",
      IM,
      [],
      `${(IM.median / KO.median).toFixed(2)} × ko`,
    ),
    "",
    "The image step is the span from the first image context staged to the last image pushed (the binaries are already",
    "built); ko's time includes compiling the ten linux binaries from a warm Go build cache.",
    "",
    "## Targets",
    "",
    "| target | measured | met |",
    "| --- | ---: | --- |",
    ...targets.map((t) => `| ${t.name} | ${t.value} | ${t.met ? "yes" : "**no**"} |`),
    "",
    ...misses(),
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
