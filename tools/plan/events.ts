// The engine's preview events as the release plan reads them: step operations by meaning, URNs taken apart, one entry per resource.

export type Change = "create" | "update" | "replace" | "delete" | "same" | "read";

/** Engine step operations (as in `pulumi preview --json` and engine events) by what they mean for a reviewer. */
const OPS: Readonly<Record<string, Change>> = {
  same: "same",
  create: "create",
  update: "update",
  delete: "delete",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  "discard-replaced": "replace",
  "remove-pending-replace": "replace",
  "import-replacement": "replace",
  import: "create",
  discard: "delete",
  read: "read",
  "read-replacement": "read",
  refresh: "read",
};

/** When one resource has several steps (a replacement has three), the one that matters most wins. */
const WEIGHT: Readonly<Record<Change, number>> = { same: 0, read: 1, update: 2, create: 3, delete: 3, replace: 4 };

export function normalizeOp(op: string): Change {
  const c = OPS[op];
  if (c === undefined)
    throw new Error(`unknown engine operation '${op}' in a preview event; add it to OPS in tools/plan/events.ts`);
  return c;
}

/** One resource step of a preview: the metadata of an engine `resourcePreEvent` (only the fields used here). */
export interface StepEvent {
  readonly op: string;
  readonly urn: string;
  readonly type: string;
  readonly old?: {
    readonly inputs?: Readonly<Record<string, unknown>>;
    readonly outputs?: Readonly<Record<string, unknown>>;
  } | null;
  readonly new?: { readonly inputs?: Readonly<Record<string, unknown>> } | null;
  readonly diffs?: readonly string[] | null;
}

export interface ParsedUrn {
  readonly stack: string;
  readonly project: string;
  /** The resource's own type, for example `docker-build:index:Image`. */
  readonly type: string;
  /** The type of its parent component, for example `splai:build:ServiceImages`; undefined at the top. */
  readonly parentType?: string;
  readonly name: string;
}

/** `urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>` */
export function parseUrn(urn: string): ParsedUrn {
  const parts = urn.split("::");
  const m = /^urn:pulumi:(.+)$/.exec(parts[0] ?? "");
  if (!m || parts.length < 4)
    throw new Error(`'${urn}' is not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)`);
  const types = parts[2].split("$");
  return {
    stack: m[1],
    project: parts[1],
    type: types[types.length - 1],
    parentType: types.length > 1 ? types[types.length - 2] : undefined,
    name: parts.slice(3).join("::"),
  };
}

/** A resource as the plan sees it: its strongest change and the last inputs and state the preview reported. */
export interface Resource {
  readonly urn: string;
  readonly parsed: ParsedUrn;
  change: Change;
  newInputs?: Readonly<Record<string, unknown>>;
  oldInputs?: Readonly<Record<string, unknown>>;
  oldOutputs?: Readonly<Record<string, unknown>>;
  diffs: Set<string>;
}

export function collapse(steps: readonly StepEvent[]): Map<string, Resource> {
  const byUrn = new Map<string, Resource>();
  for (const s of steps) {
    const change = normalizeOp(s.op);
    let r = byUrn.get(s.urn);
    if (r === undefined) {
      r = { urn: s.urn, parsed: parseUrn(s.urn), change, diffs: new Set() };
      byUrn.set(s.urn, r);
    } else if (WEIGHT[change] > WEIGHT[r.change]) {
      r.change = change;
    }
    r.newInputs = s.new?.inputs ?? r.newInputs;
    r.oldInputs = s.old?.inputs ?? r.oldInputs;
    r.oldOutputs = s.old?.outputs ?? r.oldOutputs;
    for (const d of s.diffs ?? []) r.diffs.add(d);
  }
  return byUrn;
}
