// The release rules as pure functions of resource properties: each returns what is wrong (naming the fix), or nothing.

/** A plain release tag `vX.Y.Z` (a tag release); branch builds' tags carry a prerelease part. */
const RELEASE_TAG = /^v(\d+\.\d+\.\d+)$/;
const PLAIN_VERSION = /^\d+\.\d+\.\d+$/;
const PINNED = /^([\w][\w.-]{0,127})@sha256:[0-9a-f]{64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every `<key>.image` of Helm values that names a repository: the images a chart runs. */
export function imageValues(values: unknown): { key: string; repository: unknown; tag: unknown }[] {
  if (!isObject(values)) return [];
  return Object.entries(values).flatMap(([key, v]) =>
    isObject(v) && isObject(v.image) && v.image.repository !== undefined
      ? [{ key, repository: v.image.repository, tag: v.image.tag }]
      : [],
  );
}

/** Rule 1: every image a Helm release runs is pinned by digest (`<tag>@sha256:<digest>`). */
export function unpinnedImages(release: string, values: unknown): string[] {
  return imageValues(values)
    .filter((i) => typeof i.tag !== "string" || !PINNED.test(i.tag))
    .map(
      (i) =>
        `Helm release '${release}': values.${i.key}.image.tag ${JSON.stringify(i.tag)} is not pinned by digest; ` +
        `a release deploys <immutable tag>@sha256:<digest> (splai-release sets it from the pushed image — remove any ` +
        `helmValues.${i.key}.image.tag from the stack's config)`,
    );
}

/** Rule 2: a release chart (`X.Y.Z`) runs no image by the moving tag `latest`. */
export function latestOnRelease(release: string, chartVersion: unknown, values: unknown): string[] {
  if (typeof chartVersion !== "string" || !PLAIN_VERSION.test(chartVersion)) return [];
  return imageValues(values)
    .filter((i) => typeof i.tag === "string" && /^latest(@|$)/.test(i.tag))
    .map(
      (i) =>
        `Helm release '${release}' deploys release chart ${chartVersion} but values.${i.key}.image.tag is '${String(i.tag)}'; ` +
        `a tag release pins its immutable tag ${chartVersion}@sha256:<digest>, never latest`,
    );
}

/** Rule 3: a GitHub release of a plain tag `vX.Y.Z` is a release, not a prerelease. */
export function prereleaseOfReleaseTag(resource: string, tagName: unknown, prerelease: unknown): string[] {
  if (typeof tagName !== "string" || !RELEASE_TAG.test(tagName) || prerelease !== true) return [];
  return [
    `GitHub release '${resource}' of tag ${tagName} is marked prerelease; a vX.Y.Z tag is a release — only branch ` +
      `builds (tags with a prerelease part) publish prereleases`,
  ];
}

/** Rule 4: on a tag release (the Helm release's description names `vX.Y.Z`), the chart deployed is `X.Y.Z`. */
export function chartNotReleaseVersion(tagName: string | undefined, release: string, chartVersion: unknown): string[] {
  const m = tagName === undefined ? null : RELEASE_TAG.exec(tagName);
  if (m === null || typeof chartVersion !== "string" || chartVersion === m[1]) return [];
  const prerelease = /-/.test(chartVersion) ? " (a prerelease chart is a branch build's)" : "";
  return [
    `Helm release '${release}' deploys chart ${chartVersion}, but the release is ${tagName ?? ""}: a tag release deploys ` +
      `chart ${m[1]}${prerelease}; release the chart at the tag's version`,
  ];
}

/** Rule 5: on a tag release, every image is pinned by the release's own immutable tag (`X.Y.Z@sha256:…`). */
export function imagesNotOnReleaseTag(tagName: string | undefined, release: string, values: unknown): string[] {
  const m = tagName === undefined ? null : RELEASE_TAG.exec(tagName);
  if (m === null) return [];
  return imageValues(values)
    .filter((i) => typeof i.tag === "string" && PINNED.test(i.tag) && i.tag.slice(0, i.tag.indexOf("@")) !== m[1])
    .map(
      (i) =>
        `Helm release '${release}': values.${i.key}.image.tag pins '${String(i.tag).split("@")[0]}', but the release ` +
        `is ${tagName ?? ""}; a tag release pins its own immutable tag ${m[1]}@sha256:<digest>`,
    );
}
