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

const PINNED = /^([\w][\w.-]{0,127})@sha256:[0-9a-f]{64}$/;

/** Why a pinned tag may not be deployed by a tag release, or undefined when it may. */
export function movingTagProblem(key: string, pinnedTag: string): string | undefined {
  const m = PINNED.exec(pinnedTag);
  if (m === null)
    return `${key}.image.tag '${pinnedTag}' is not pinned by digest (<tag>@sha256:<digest>); a release deploys only pinned images`;
  if (m[1] === "latest")
    return `${key}.image.tag '${pinnedTag}' uses the moving tag 'latest'; a release deploys its immutable version tag`;
  return undefined;
}

export function releaseValues(
  images: Record<string, ImageRef>,
  valuesKeys: Readonly<Record<string, string>>,
  extra: Record<string, unknown>,
  opts: { forbidMovingTags?: boolean } = {},
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [image, key] of Object.entries(valuesKeys)) {
    const ref = images[image];
    if (ref === undefined) throw new Error(`no published image '${image}' for chart value '${key}'`);
    const problem = opts.forbidMovingTags ? movingTagProblem(key, ref.pinnedTag) : undefined;
    if (problem !== undefined) throw new Error(problem);
    // A stack may choose the pull policy; repository and tag are the release's (config validation refuses them in extras).
    const policy = (extra[key] as { image?: { pullPolicy?: unknown } } | undefined)?.image?.pullPolicy;
    values[key] = {
      image: {
        repository: ref.repository,
        tag: ref.pinnedTag,
        pullPolicy: typeof policy === "string" ? policy : "IfNotPresent",
      },
    };
  }
  // Extras may add settings but never replace the pinned images.
  const merged = mergeValues(extra, values);
  return merged;
}
