// Helm values for a reviewer: leaf-by-leaf changes, with values unknown until the up and secrets never shown in the clear.
import { specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** Helm values whose key looks like a credential are masked even when they are not Pulumi secrets. */
const SECRET_KEY = /pass(word|wd)?$|secret|token|credential|private[-_]?key|api[-_]?key/i;

export const KNOWN_AFTER_UP = "(known after up)";
/** Stands for an image digest in planned Helm values, after the immutable tag it is pinned to. */
export const DIGEST_AFTER_UP = "(digest known after up)";
export const MASKED = "[secret]";

export interface ValueChange {
  /** Dotted path in the values, `(all values)` when the whole document changes at once. */
  readonly path: string;
  /** Rendered value before; undefined when the key is new. */
  readonly before?: string;
  /** Rendered value after; undefined when the key goes away. */
  readonly after?: string;
}

export const isUnknown = (v: unknown): boolean => v === unknownValue;
export const isSecret = (v: unknown): boolean => v !== null && typeof v === "object" && specialSigKey in v;
export const str = (v: unknown): string | undefined => (typeof v === "string" && !isUnknown(v) ? v : undefined);

/** Renders one leaf of Helm values for a reviewer: unknowns and secrets never show their raw form. */
function renderLeaf(v: unknown, key: string): string {
  if (isUnknown(v)) return KNOWN_AFTER_UP;
  if (isSecret(v) || (SECRET_KEY.test(key) && v !== null && v !== "" && typeof v !== "boolean")) return MASKED;
  if (typeof v === "string") return v;
  return JSON.stringify(maskDeep(v));
}

function maskDeep(v: unknown): unknown {
  if (isUnknown(v)) return KNOWN_AFTER_UP;
  if (isSecret(v)) return MASKED;
  if (Array.isArray(v)) return v.map(maskDeep);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        SECRET_KEY.test(k) && x !== null && typeof x !== "object" && x !== "" ? MASKED : maskDeep(x),
      ]),
    );
  }
  return v;
}

function flatten(v: unknown, path: string, out: Map<string, string>): void {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && !isSecret(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) flatten(x, path === "" ? k : `${path}.${k}`, out);
    return;
  }
  out.set(path === "" ? "(all values)" : path, renderLeaf(v, path.split(".").pop() ?? ""));
}

/** The Helm values that change, leaf by leaf, with unknowns and secrets rendered for a reviewer. Sorted by path. */
export function diffValues(before: unknown, after: unknown): ValueChange[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  if (before !== undefined && before !== null) flatten(before, "", a);
  if (after !== undefined && after !== null) flatten(after, "", b);
  const changes: ValueChange[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(path);
    const y = b.get(path);
    if (x !== y) changes.push({ path, before: x, after: y });
  }
  return changes;
}
