// Reads a V8 CPU profile (SPLAI_PROFILE, see program.js): where the program's process spent its time, by package and
// by the program's own functions (inclusive).
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface CpuSummary {
  /** Wall time the profile covers, ms. */
  totalMs: number;
  /** Self time by package (node_modules/<pkg>), Node's internals (`node:`), V8 (`(idle)`, `(garbage collector)`) or the program's own code. */
  byPackage: { name: string; ms: number }[];
  /** The program's own functions, time including what they called. */
  ownInclusive: { name: string; ms: number }[];
}

const where = (url: string, fn: string): string => {
  if (!url) return `(${fn.replace(/[()]/g, "") || "native"})`;
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  return url.startsWith("node:") ? "node:" : "(the program)";
};

export function summarize(p: CpuProfile, top = 10): CpuSummary {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byPackage = new Map<string, number>();
  const own = new Map<string, number>();
  for (const [id, us] of self) {
    const n = nodes.get(id)!;
    const k = where(n.callFrame.url, n.callFrame.functionName);
    byPackage.set(k, (byPackage.get(k) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = nodes.get(cur)!.callFrame;
      if (!f.url || f.url.includes("node_modules") || f.url.startsWith("node:")) continue;
      const name = `${f.functionName || "(module)"} ${f.url.replace(/^.*\/program\//, "")}`;
      if (!seen.has(name)) own.set(name, (own.get(name) ?? 0) + us);
      seen.add(name);
    }
  }
  const ms = (m: Map<string, number>): { name: string; ms: number }[] =>
    [...m]
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return { totalMs: Math.round((p.endTime - p.startTime) / 1000), byPackage: ms(byPackage), ownInclusive: ms(own) };
}
