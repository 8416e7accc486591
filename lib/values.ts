// Helm values for a release: each image's repository and its digest-pinned tag under the chart's value key, then per-stack extras.
export interface ImageRef<Tag = string> {
  readonly repository: string;
  /** `<tag>@sha256:…`; may be a Pulumi Output, which stays a leaf of the values. */
  readonly pinnedTag: Tag;
}

/**
 * Only plain objects are merged: anything else (arrays, Pulumi Outputs) is a leaf. Keeping each digest an Output leaf
 * lets a preview show every other value as known, so a release plan can diff them.
 */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Deep merge where `over` wins; arrays are replaced, not concatenated (as Helm does). */
export function mergeValues(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const cur = out[k];
    out[k] = isPlainObject(v) && isPlainObject(cur) ? mergeValues(cur, v) : v;
  }
  return out;
}

export function releaseValues<Tag>(
  images: Readonly<Record<string, ImageRef<Tag>>>,
  valuesKeys: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [image, key] of Object.entries(valuesKeys)) {
    const ref = images[image];
    if (ref === undefined) throw new Error(`no published image '${image}' for chart value '${key}'`);
    values[key] = { image: { repository: ref.repository, tag: ref.pinnedTag, pullPolicy: "IfNotPresent" } };
  }
  // Extras may add settings but never replace the pinned images.
  return mergeValues(extra, values);
}
