// Release plans: what a preview says the next `up` will release (versions, images, chart, Helm values, GitHub release).
import { basename } from "node:path";
import {
  binaryChildren,
  GO_BINARIES_TYPE,
  PROMOTE_BINARIES,
  PROMOTED_BINARIES_TYPE,
} from "../../components/binaries/contract";
import { CHART_PUBLISH_TYPE, chartChildren, PUBLISH_CHART, type PublishedChart } from "../../components/chart/contract";
import { releaseValues } from "../../components/deploy/values";
import { GITHUB_RELEASE_TYPE, githubChildren, PUBLISH_RELEASE, SYNC_ASSETS } from "../../components/github/contract";
import { PROMOTED_IMAGES_TYPE, SERVICE_IMAGES_TYPE } from "../../components/images/contract";
import {
  downloadNames,
  PACKAGE_RELEASE,
  packageChildren,
  RELEASE_PACKAGES_TYPE,
} from "../../components/packages/contract";
import { tryParseStepOutput } from "../../shared/step/contract";
import { readEnv } from "./env";
import { collapse, normalizeOp, type Change, type Resource, type StepEvent } from "./events";
import { DIGEST_AFTER_UP, diffValues, isUnknown, KNOWN_AFTER_UP, str, type ValueChange } from "./values";

export { DIGEST_AFTER_UP, KNOWN_AFTER_UP } from "./values";
export type { StepEvent } from "./events";

export interface ReleaseVersions {
  readonly mode: string;
  readonly ref: string;
  readonly commit: string;
  readonly app: string;
  readonly chart: string;
  readonly imageTags: readonly string[];
  /** SOURCE_DATE_EPOCH of the images (the commit time), when the stack reports it. */
  readonly sourceDateEpoch?: number;
}

export interface PlannedImage {
  /** Short name, for example `api-gateway`. */
  readonly name: string;
  readonly repository: string;
  readonly tags: readonly string[];
  readonly platforms: readonly string[];
  readonly change: Change;
  /** The pushed digest when the image stays; {@link KNOWN_AFTER_UP} when it is (re)built. */
  readonly digest: string;
  /** A promoted image: the dev image (`repository@digest`) its tags will point at, unchanged. */
  readonly promotedFrom?: string;
}

export interface ReleasePlan {
  readonly stack: string;
  /** Versions from the stack's `versions` output, known before anything is built. */
  readonly versions?: ReleaseVersions;
  /** A promoting release (`promoteFrom`): the dev stack and build whose images and binaries it publishes, building nothing. */
  readonly promotedFrom?: { readonly stack: string; readonly version: string; readonly sha: string };
  /** Resource counts by change, as the engine summarised the preview. */
  readonly counts: Readonly<Record<Change, number>>;
  readonly binaries: readonly { readonly file: string; readonly change: Change }[];
  readonly images: readonly PlannedImage[];
  readonly chart?: {
    readonly ref: string;
    readonly version: string;
    readonly alias: string;
    readonly change: Change;
    /** The version published by the last `up`, if any. */
    readonly previous?: string;
  };
  readonly helm?: {
    readonly release: string;
    readonly namespace: string;
    readonly change: Change;
    readonly chartVersion: { readonly before?: string; readonly after: string };
    readonly values: readonly ValueChange[];
    /**
     * `preview`: the engine knew the new values. `sources`: it knew them only as a whole unknown (an image digest is
     * still to come), so they were computed from the stack's helmValues and the planned images, as the program does.
     */
    readonly valuesFrom: "preview" | "sources";
  };
  readonly githubRelease?: {
    readonly tag: string;
    readonly title: string;
    readonly prerelease: boolean;
    readonly change: Change;
    readonly assets: readonly string[];
    readonly assetsChange: Change;
  };
  /** Every resource the `up` will touch (not `same`), in the order the preview met them. */
  readonly resources: readonly {
    readonly name: string;
    readonly type: string;
    readonly change: Change;
    readonly urn: string;
    readonly diffs: readonly string[];
  }[];
  /** The saved engine update plan that `up --plan` applies, when one was saved. */
  readonly updatePlan?: string;
}

export interface PlanInput {
  readonly stack: string;
  readonly steps: readonly StepEvent[];
  /** The stack's outputs as the preview computed them (unknown ones are {@link UNKNOWN}). */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** The engine's change summary of the preview (`create`, `update`, `replace`, `delete`, `same`, …). */
  readonly changeSummary?: Readonly<Record<string, number>>;
  readonly updatePlan?: string;
  /** Reads a chart's name from its directory; used when no earlier publish recorded it. */
  readonly chartName?: (chartPath: string) => string | undefined;
  /**
   * What the Helm values are made of: the stack's `helmValues` and each image's chart value key. While a digest is still
   * unknown the engine sees the values only as one unknown, and the plan computes them from these instead.
   */
  readonly helmValueSources?: {
    readonly extra: Readonly<Record<string, unknown>>;
    readonly valuesKeys: Readonly<Record<string, string>>;
  };
}

function countsOf(
  summary: Readonly<Record<string, number>> | undefined,
  resources: Iterable<Resource>,
): Record<Change, number> {
  const counts: Record<Change, number> = { create: 0, update: 0, replace: 0, delete: 0, same: 0, read: 0 };
  if (summary !== undefined) {
    for (const [op, n] of Object.entries(summary)) counts[normalizeOp(op)] += n;
    return counts;
  }
  for (const r of resources) counts[r.change] += 1;
  return counts;
}

const COMMAND = "command:local:Command";

/** A command's environment as the preview reports it (the latest inputs, else the state's). */
const environmentOf = (r: Resource | undefined): unknown => r?.newInputs?.environment ?? r?.oldInputs?.environment;

function asVersions(v: unknown): ReleaseVersions | undefined {
  if (v === null || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  const fields = ["mode", "ref", "commit", "app", "chart"] as const;
  if (fields.some((f) => typeof o[f] !== "string" || isUnknown(o[f])) || !Array.isArray(o.imageTags)) return undefined;
  return {
    mode: String(o.mode),
    ref: String(o.ref),
    commit: String(o.commit),
    app: String(o.app),
    chart: String(o.chart),
    imageTags: o.imageTags.map(String),
    ...(typeof o.sourceDateEpoch === "number" ? { sourceDateEpoch: o.sourceDateEpoch } : {}),
  };
}

/** Builds the release plan from a preview's resource steps and stack outputs. Pure: everything arrives as data. */
export function buildPlan(input: PlanInput): ReleasePlan {
  const all = collapse(input.steps);
  const resources = [...all.values()];
  const componentName = new Map(
    resources.filter((r) => r.parsed.type.startsWith("splai:")).map((r) => [r.parsed.type, r.parsed.name]),
  );
  /** The resource of a component's child, named as the component's contract names it. */
  const childOf = (
    componentType: string,
    name: (component: string) => string,
    type = COMMAND,
  ): Resource | undefined => {
    const component = componentName.get(componentType);
    if (component === undefined) return undefined;
    return resources.find(
      (r) => r.parsed.parentType === componentType && r.parsed.type === type && r.parsed.name === name(component),
    );
  };

  // Every command under GoBinaries but the SHA256SUMS one builds one file, named by the contract's `build(file)`.
  const goBinaries = componentName.get(GO_BINARIES_TYPE) ?? "";
  const sums = binaryChildren(goBinaries).sums;
  const prefix = binaryChildren(goBinaries).build("");
  const binaries = resources
    .filter((r) => r.parsed.parentType === GO_BINARIES_TYPE && r.parsed.type === COMMAND && r.parsed.name !== sums)
    .map((r) => ({ file: r.parsed.name.slice(prefix.length), change: r.change }))
    .sort((a, b) => a.file.localeCompare(b.file));

  const images = resources
    .filter((r) => r.parsed.type === "docker-build:index:Image")
    .map((r): PlannedImage => {
      const inputs = r.newInputs ?? r.oldInputs ?? {};
      const refs = Array.isArray(inputs.tags) ? inputs.tags.map(String) : [];
      const first = refs[0] ?? "";
      const colon = first.lastIndexOf(":");
      const digest =
        r.change === "same" || r.change === "delete" ? (str(r.oldOutputs?.digest) ?? KNOWN_AFTER_UP) : KNOWN_AFTER_UP;
      return {
        name: r.parsed.name.slice(`${componentName.get(SERVICE_IMAGES_TYPE) ?? ""}-`.length),
        repository: colon > first.lastIndexOf("/") ? first.slice(0, colon) : first,
        tags: refs.map((t) => t.slice(t.lastIndexOf(":") + 1)),
        platforms: Array.isArray(inputs.platforms) ? inputs.platforms.map(String) : [],
        change: r.change,
        digest,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));

  // A promotion: one Index per image and tag, grouped by repository; dev's binaries copied by one command.
  const promotedImages = new Map<string, { tags: string[]; source?: string; change: Change }>();
  for (const r of resources) {
    if (r.parsed.type !== "docker-build:index:Index" || r.parsed.parentType !== PROMOTED_IMAGES_TYPE) continue;
    const inputs = r.newInputs ?? r.oldInputs ?? {};
    const tag = str(inputs.tag) ?? "";
    const colon = tag.lastIndexOf(":");
    const repository = colon > tag.lastIndexOf("/") ? tag.slice(0, colon) : tag;
    const entry = promotedImages.get(repository) ?? { tags: [], change: "same" as Change };
    entry.tags.push(colon > tag.lastIndexOf("/") ? tag.slice(colon + 1) : KNOWN_AFTER_UP);
    entry.source ??= Array.isArray(inputs.sources) ? str(inputs.sources[0]) : undefined;
    if (entry.change === "same") entry.change = r.change;
    promotedImages.set(repository, entry);
  }
  for (const [repository, e] of promotedImages) {
    const at = e.source?.lastIndexOf("@") ?? -1;
    images.push({
      name: repository.slice(repository.lastIndexOf("/") + 1).replace(/^splai-/, ""),
      repository,
      tags: e.tags,
      platforms: [],
      change: e.change,
      digest: at > 0 ? e.source!.slice(at + 1) : KNOWN_AFTER_UP,
      promotedFrom: e.source,
    });
  }
  images.sort((a, b) => a.name.localeCompare(b.name));
  const copy = childOf(PROMOTED_BINARIES_TYPE, (c) => binaryChildren(c).copy);
  if (copy !== undefined) {
    for (const f of readEnv(PROMOTE_BINARIES, environmentOf(copy)).FILES ?? [])
      binaries.push({ file: f.name, change: copy.change });
    binaries.sort((a, b) => a.file.localeCompare(b.file));
  }
  const promoted = input.outputs.promotedFrom as Record<string, unknown> | undefined;
  const promotedFrom =
    promoted !== null && typeof promoted === "object" && str(promoted.stack) !== undefined
      ? {
          stack: str(promoted.stack)!,
          version: str(promoted.version) ?? KNOWN_AFTER_UP,
          sha: str(promoted.sha) ?? KNOWN_AFTER_UP,
        }
      : undefined;

  const push = childOf(CHART_PUBLISH_TYPE, (c) => chartChildren(c).push);
  let chart: ReleasePlan["chart"];
  if (push !== undefined) {
    const e = readEnv(PUBLISH_CHART, environmentOf(push));
    const published = tryParseStepOutput<PublishedChart>(push.oldOutputs?.stdout);
    const name = published?.name ?? (e.CHART_PATH ? input.chartName?.(e.CHART_PATH) : undefined) ?? "splai";
    chart = {
      ref: `oci://${e.REGISTRY ?? "?"}/${e.CHART_REPOSITORY ?? "?"}/${name}`,
      version: e.CHART_VERSION ?? KNOWN_AFTER_UP,
      alias: e.CHART_ALIAS ?? "latest",
      change: push.change,
      previous: published?.version,
    };
  }

  const rel = resources.find((r) => r.parsed.type === "kubernetes:helm.sh/v3:Release");
  let helm: ReleasePlan["helm"];
  if (rel !== undefined) {
    const now = rel.newInputs ?? {};
    let after: unknown = now.values;
    let valuesFrom: "preview" | "sources" = "preview";
    if (isUnknown(after) && input.helmValueSources !== undefined) {
      const refs = Object.fromEntries(
        images.map((i) => [
          i.name,
          {
            repository: i.repository,
            pinnedTag: `${i.tags[0] ?? "?"}@${i.digest === KNOWN_AFTER_UP ? DIGEST_AFTER_UP : i.digest}`,
          },
        ]),
      );
      try {
        after = releaseValues(refs, input.helmValueSources.valuesKeys, input.helmValueSources.extra);
        valuesFrom = "sources";
      } catch {
        // An image the values need is not in this preview: leave the values unknown rather than guess.
      }
    }
    helm = {
      release: str(now.name) ?? str(rel.oldInputs?.name) ?? "splai",
      namespace: str(now.namespace) ?? str(rel.oldInputs?.namespace) ?? KNOWN_AFTER_UP,
      change: rel.change,
      chartVersion: {
        before: str(rel.oldInputs?.version),
        after: str(now.version) ?? chart?.version ?? KNOWN_AFTER_UP,
      },
      values: rel.change === "delete" ? [] : diffValues(rel.oldInputs?.values, after),
      valuesFrom,
    };
  }

  let githubRelease: ReleasePlan["githubRelease"];
  const gh = childOf(GITHUB_RELEASE_TYPE, (c) => githubChildren(c).release, "github:index/release:Release");
  const ghAssets = childOf(GITHUB_RELEASE_TYPE, (c) => githubChildren(c).assets);
  const ghPublish = childOf(GITHUB_RELEASE_TYPE, (c) => githubChildren(c).publish);
  if (gh !== undefined) {
    const e = gh.newInputs ?? gh.oldInputs ?? {};
    const published = readEnv(PUBLISH_RELEASE, environmentOf(ghPublish));
    // The assets are the binaries, archives, packages and SHA256SUMS; while the binaries are rebuilt their paths are
    // unknown, and the downloads are named from the packaging step's version, formats and packages instead.
    const files = readEnv(SYNC_ASSETS, environmentOf(ghAssets)).ASSET_FILES;
    const pkg = readEnv(
      PACKAGE_RELEASE,
      environmentOf(childOf(RELEASE_PACKAGES_TYPE, (c) => packageChildren(c).build)),
    );
    const targets = binaries.map((b) => {
      const [goos, goarch] = b.file.split("-").slice(-2);
      return { goos, goarch };
    });
    const downloads =
      pkg.VERSION !== undefined && pkg.FORMATS !== undefined && pkg.PACKAGES !== undefined
        ? downloadNames(pkg.VERSION, targets, pkg.FORMATS, pkg.PACKAGES)
        : [];
    const assets =
      files !== undefined
        ? files.split("\n").filter((f) => f !== "")
        : [...binaries.map((b) => b.file), ...downloads, "SHA256SUMS"];
    githubRelease = {
      tag: str(e.tagName) ?? KNOWN_AFTER_UP,
      title: published.TITLE ?? str(e.name) ?? KNOWN_AFTER_UP,
      prerelease: published.PRERELEASE ?? e.prerelease === true,
      // After creation, title and notes change through the publish step (the release itself stays).
      change: gh.change === "same" && ghPublish !== undefined && ghPublish.change !== "same" ? "update" : gh.change,
      assets: assets.map((a) => basename(a)).sort(),
      assetsChange: ghAssets?.change ?? "same",
    };
  }

  return {
    stack: input.stack,
    versions: asVersions(input.outputs.versions),
    ...(promotedFrom ? { promotedFrom } : {}),
    counts: countsOf(input.changeSummary, resources),
    binaries,
    images,
    chart,
    helm,
    githubRelease,
    resources: resources
      .filter((r) => r.change !== "same" && !r.parsed.type.startsWith("pulumi:pulumi:Stack"))
      .map((r) => ({
        name: r.parsed.name,
        type: r.parsed.type,
        change: r.change,
        urn: r.urn,
        diffs: [...r.diffs].sort(),
      })),
    updatePlan: input.updatePlan,
  };
}
