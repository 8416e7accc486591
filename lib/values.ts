// Helm values for a release: each image's repository and its digest-pinned tag under the chart's value key, then per-stack extras.
export interface ImageRef {
  readonly repository: string;
  /** `<tag>@sha256:…` */
  readonly pinnedTag: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Deep merge where `over` wins; arrays are replaced, not concatenated (as Helm does). */
export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? mergeValues(out[k], v) : v;
  return out;
}

export function releaseValues(
  images: Record<string, ImageRef>,
  valuesKeys: Readonly<Record<string, string>>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [image, key] of Object.entries(valuesKeys)) {
    const ref = images[image];
    if (ref === undefined) throw new Error(`no published image '${image}' for chart value '${key}'`);
    values[key] = { image: { repository: ref.repository, tag: ref.pinnedTag, pullPolicy: "IfNotPresent" } };
  }
  // Extras may add settings but never replace the pinned images.
  const merged = mergeValues(extra, values);
  return merged;
}
