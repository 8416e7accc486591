// How long one `up` or `preview` takes and where the time goes, from the engine's events; medians over runs.
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { urnTypes } from "../tools/lib/progress";

export interface Stats {
  median: number;
  min: number;
  max: number;
  samples: number[];
}
export const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1], samples: xs };
};
export const round = (x: number): number => Math.round(x * 10) / 10;

/** Wall time of each phase of an update, from the engine's events (phases overlap; spans are first start to last end). */
export type Phase =
  | "go build"
  | "image context"
  | "image build+push"
  | "chart"
  | "helm release"
  | "verification"
  | "guards"
  | "github"
  | "other";
export const PHASES: Phase[] = [
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
// A child's type is `<parent type>$<own type>`: classify by its own.
const ownType = (urn: string): string => urnTypes(urn).pop() ?? "";

function phaseOf(urn: string): Phase | undefined {
  const name = urn.split("::").pop() ?? "";
  const type = ownType(urn);
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

export interface Timed {
  seconds: number;
  /** Resources whose operation was not `same`. */
  changed: string[];
  /** Seconds from the call to the first resource event: CLI, engine, language host and program start. */
  startup: number;
  phases: Partial<Record<Phase, number>>;
  /** The resources whose step took longest (pre-event to outputs), slowest first. */
  slowest?: { name: string; op: string; seconds: number }[];
  /** Each phase's first start and last end, in seconds from the call. */
  windows: Partial<Record<Phase, { start: number; end: number }>>;
  /** Wall-clock split of the run: engine start, program and providers, resource steps, finish. */
  timeline: Timeline;
}

/** Where one run's wall time goes, in sequence (seconds): they add up to the run's time. */
export interface Timeline {
  /** The call to the engine's first event: CLI, engine, language host start. */
  engine: number;
  /** First event to the first step of a custom resource: the program's evaluation, plugins and provider configuration. */
  program: number;
  /** First to last step of a custom resource: diffs, builds, pushes, the deployment. */
  steps: number;
  /** Last step to the end of the call: outputs, state written, plugins stopped. */
  finish: number;
}
export const TIMELINE: (keyof Timeline)[] = ["engine", "program", "steps", "finish"];

export async function timed(stack: Stack, what: "up" | "preview"): Promise<Timed> {
  const t0 = Date.now();
  let first: number | undefined;
  let firstStep: number | undefined;
  let lastStep: number | undefined;
  const isCustom = (urn: string): boolean => {
    const type = ownType(urn);
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
    slowest: [...spans]
      .filter(([urn, x]) => x.end !== undefined && !urn.includes("pulumi:pulumi:Stack"))
      .map(([urn, x]) => ({ name: urn.split("::").pop()!, op: x.op ?? "?", seconds: round((x.end! - x.start) / 1000) }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 8),
    windows: Object.fromEntries(
      Object.entries(phases).map(([k, v]) => [k, { start: (v.start - t0) / 1000, end: (v.end - t0) / 1000 }]),
    ),
  };
}

/** Seconds from the first start to the last end of `phases` together (0 when none ran). */
export function span(t: Timed, phases: Phase[]): number {
  const ws = phases.flatMap((p) => (t.windows[p] ? [t.windows[p]] : []));
  return ws.length === 0 ? 0 : Math.max(...ws.map((w) => w.end)) - Math.min(...ws.map((w) => w.start));
}
