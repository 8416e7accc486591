// Progress of a release from the engine's event stream: what is being built, pushed and deployed, with counts and times.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { GO_BINARIES_TYPE, PROMOTED_BINARIES_TYPE } from "../../components/binaries/contract";
import { CHART_PUBLISH_TYPE } from "../../components/chart/contract";
import { RELEASE_GUARD_TYPE, SPLAI_DEPLOYMENT_TYPE, VERIFICATION_TYPE } from "../../components/deploy/contract";
import { GITHUB_RELEASE_TYPE } from "../../components/github/contract";
import { PROMOTED_IMAGES_TYPE, SERVICE_IMAGES_TYPE } from "../../components/images/contract";
import { SIGNATURE_GATE_TYPE, SIGNATURE_TYPE, SIGNING_KEY_TYPE } from "../../components/signing/contract";
import { IMAGE_ATTESTATION_TYPE } from "../../components/supplychain/contract";

/** The release phases a person recognises, keyed by the component type that owns a resource. */
const PHASES: readonly { readonly phase: string; readonly verb: string; readonly types: readonly string[] }[] = [
  { phase: "checks", verb: "checked", types: [RELEASE_GUARD_TYPE] },
  { phase: "binaries", verb: "built", types: [GO_BINARIES_TYPE, PROMOTED_BINARIES_TYPE] },
  { phase: "images", verb: "built and pushed", types: [SERVICE_IMAGES_TYPE, PROMOTED_IMAGES_TYPE] },
  { phase: "attestations", verb: "attached", types: [IMAGE_ATTESTATION_TYPE] },
  { phase: "chart", verb: "published", types: [CHART_PUBLISH_TYPE] },
  { phase: "signatures", verb: "signed", types: [SIGNATURE_TYPE, SIGNING_KEY_TYPE] },
  { phase: "sig gate", verb: "verified", types: [SIGNATURE_GATE_TYPE] },
  { phase: "deploy", verb: "applied", types: [SPLAI_DEPLOYMENT_TYPE] },
  { phase: "verify", verb: "verified", types: [VERIFICATION_TYPE] },
  { phase: "github", verb: "published", types: [GITHUB_RELEASE_TYPE] },
];

/** Step operations that do work, once per resource (a replacement also emits `replace` and `delete-replaced`). */
const WORKING = new Set(["create", "update", "create-replacement", "delete", "import"]);

/** `urn:pulumi:<stack>::<project>::<parent types joined by $>$<type>::<name>` → the types, outermost first. */
export function urnTypes(urn: string): string[] {
  const parts = urn.split("::");
  return parts.length >= 4 ? parts[2].split("$") : [];
}

/** The phase of a resource: that of the closest enclosing component we know, if any. */
export function phaseOf(urn: string): string | undefined {
  const types = urnTypes(urn);
  for (let i = types.length - 1; i >= 0; i--) {
    const p = PHASES.find((x) => x.types.includes(types[i]));
    if (p) return p.phase;
  }
  return undefined;
}

interface PhaseCount {
  started: number;
  done: number;
  failed: number;
  /** [start, end] of every finished step, for the time the phase was busy. */
  spans: [number, number][];
  lastLine: number;
}

/** Length of the union of intervals: how long at least one step of a phase was running. */
export function busyMs(spans: readonly (readonly [number, number])[]): number {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** A phase prints a progress line at most this often (and always its first start and each failure). */
const LINE_EVERY_MS = 2000;

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
};

/** Turns engine events into one line per meaningful change, and a per-phase summary at the end. */
export class ReleaseProgress {
  private readonly t0 = Date.now();
  private readonly phases = new Map<string, PhaseCount>();
  private readonly pending = new Map<string, { phase: string; at: number }>();
  readonly errors: string[] = [];

  constructor(private readonly write: (line: string) => void) {}

  private count(phase: string): PhaseCount {
    let c = this.phases.get(phase);
    if (!c) this.phases.set(phase, (c = { started: 0, done: 0, failed: 0, spans: [], lastLine: 0 }));
    return c;
  }

  private line(phase: string, text: string): void {
    this.write(`[${clock(Date.now() - this.t0)}] ${phase.padEnd(12)} ${text}`);
  }

  readonly onEvent = (e: EngineEvent): void => {
    const pre = e.resourcePreEvent?.metadata;
    if (pre && WORKING.has(pre.op) && pre.type !== "pulumi:pulumi:Stack" && !pre.type.startsWith("pulumi:providers:")) {
      const phase = phaseOf(pre.urn);
      if (phase === undefined || pre.type.startsWith("splai:")) return;
      const c = this.count(phase);
      c.started++;
      this.pending.set(pre.urn, { phase, at: Date.now() });
      if (c.started === 1) {
        c.lastLine = Date.now();
        this.line(phase, `started (${pre.op} ${pre.urn.split("::").pop()})`);
      }
    }
    const out = e.resOutputsEvent?.metadata;
    const started = out && this.pending.get(out.urn);
    if (out && started) {
      this.pending.delete(out.urn);
      const c = this.count(started.phase);
      c.done++;
      c.spans.push([started.at, Date.now()]);
      const running = c.started - c.done;
      if (running === 0 || Date.now() - c.lastLine >= LINE_EVERY_MS) {
        c.lastLine = Date.now();
        const verb = PHASES.find((p) => p.phase === started.phase)?.verb ?? "done";
        this.line(started.phase, `${c.done} ${verb}${running > 0 ? `, ${running} running` : ""}`);
      }
    }
    const failed = e.resOpFailedEvent?.metadata;
    const failing = failed && this.pending.get(failed.urn);
    if (failed && failing) {
      this.pending.delete(failed.urn);
      this.count(failing.phase).failed++;
      this.line(failing.phase, `FAILED: ${failed.urn.split("::").pop()}`);
    }
    const diag = e.diagnosticEvent;
    if (diag && diag.severity === "error" && !/^update failed$/.test(diag.message.trim()))
      this.errors.push(stripFormatting(diag.message).trim());
  };

  /** One line per phase that did work: how many steps, failures, and how long at least one of its steps was running. */
  summary(): string[] {
    return PHASES.filter((p) => this.phases.has(p.phase)).map((p) => {
      const c = this.phases.get(p.phase)!;
      return `  ${p.phase.padEnd(12)} ${c.done} ${p.verb}${c.failed ? `, ${c.failed} failed` : ""} (busy ${(busyMs(c.spans) / 1000).toFixed(1)}s)`;
    });
  }
}

/** Removes the engine's colour tags (`<{%fg 1%}>`, `<{%reset%}>`) and ANSI escape sequences. */
export function stripFormatting(text: string): string {
  return text
    .replace(/<\{%[^%]*%\}>/g, "")
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g"), "");
}
