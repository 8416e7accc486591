// Release plans: what a preview says the next `up` will release (versions, images, chart, Helm values, GitHub release), as JSON and Markdown.
import { basename } from "node:path";
import { releaseValues } from "../../components/deploy/values";

/** The engine's placeholder for a value that becomes known only during `up`. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The key the engine puts on a secret value in its events (the value itself is never in an event). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** Helm values whose key looks like a credential are masked even when they are not Pulumi secrets. */
const SECRET_KEY = /pass(word|wd)?$|secret|token|credential|private[-_]?key|api[-_]?key/i;

export const KNOWN_AFTER_UP = "(known after up)";
/** Stands for an image digest in planned Helm values, after the immutable tag it is pinned to. */
export const DIGEST_AFTER_UP = "(digest known after up)";
export const MASKED = "[secret]";

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
    throw new Error(`unknown engine operation '${op}' in a preview event; add it to OPS in lib/release-plan.ts`);
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
interface Resource {
  readonly urn: string;
  readonly parsed: ParsedUrn;
  change: Change;
  newInputs?: Readonly<Record<string, unknown>>;
  oldInputs?: Readonly<Record<string, unknown>>;
  oldOutputs?: Readonly<Record<string, unknown>>;
  diffs: Set<string>;
}

function collapse(steps: readonly StepEvent[]): Map<string, Resource> {
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

export interface ValueChange {
  /** Dotted path in the values, `(all values)` when the whole document changes at once. */
  readonly path: string;
  /** Rendered value before; undefined when the key is new. */
  readonly before?: string;
  /** Rendered value after; undefined when the key goes away. */
  readonly after?: string;
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

const isUnknown = (v: unknown): boolean => v === UNKNOWN;
const isSecret = (v: unknown): boolean => v !== null && typeof v === "object" && SECRET_SIG in v;
const str = (v: unknown): string | undefined => (typeof v === "string" && !isUnknown(v) ? v : undefined);
const isCommand = (type: string): boolean => type === "command:local:Command" || type.endsWith(":LocalCommand");

function env(r: Resource | undefined): Readonly<Record<string, unknown>> {
  const e = r?.newInputs?.environment ?? r?.oldInputs?.environment;
  return e !== null && typeof e === "object" ? (e as Record<string, unknown>) : {};
}

function lastJsonLine(stdout: unknown): Record<string, unknown> | undefined {
  if (typeof stdout !== "string") return undefined;
  try {
    return JSON.parse(stdout.trim().split("\n").pop() ?? "") as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

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

/** Builds the release plan from a preview's resource steps and stack outputs. Pure: everything arrives as data. */
export function buildPlan(input: PlanInput): ReleasePlan {
  const all = collapse(input.steps);
  const resources = [...all.values()];
  const componentName = new Map(
    resources.filter((r) => r.parsed.type.startsWith("splai:")).map((r) => [r.parsed.type, r.parsed.name]),
  );
  const child = (parentType: string, r: Resource): string | undefined => {
    if (r.parsed.parentType !== parentType) return undefined;
    const prefix = `${componentName.get(parentType) ?? ""}-`;
    return r.parsed.name.startsWith(prefix) ? r.parsed.name.slice(prefix.length) : r.parsed.name;
  };

  const binaries = resources
    .filter(
      (r) =>
        isCommand(r.parsed.type) &&
        child("splai:build:GoBinaries", r) !== undefined &&
        child("splai:build:GoBinaries", r) !== "sha256sums",
    )
    .map((r) => ({ file: child("splai:build:GoBinaries", r)!, change: r.change }))
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
        name: child("splai:build:ServiceImages", r) ?? r.parsed.name,
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
    if (r.parsed.type !== "docker-build:index:Index" || r.parsed.parentType !== "splai:release:PromotedImages")
      continue;
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
  const copy = resources.find((r) => isCommand(r.parsed.type) && child("splai:release:PromotedBinaries", r) === "copy");
  if (copy !== undefined) {
    let files: unknown;
    try {
      files = JSON.parse(str(env(copy).FILES) ?? "[]");
    } catch {
      files = [];
    }
    if (Array.isArray(files))
      for (const f of files as { name?: unknown }[])
        if (typeof f.name === "string") binaries.push({ file: f.name, change: copy.change });
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

  const push = resources.find((r) => isCommand(r.parsed.type) && child("splai:release:ChartPublish", r) === "push");
  let chart: ReleasePlan["chart"];
  if (push !== undefined) {
    const e = env(push);
    const published = lastJsonLine(push.oldOutputs?.stdout);
    const name =
      str(published?.name) ?? (str(e.CHART_PATH) ? input.chartName?.(String(e.CHART_PATH)) : undefined) ?? "splai";
    chart = {
      ref: `oci://${str(e.REGISTRY) ?? "?"}/${str(e.CHART_REPOSITORY) ?? "?"}/${name}`,
      version: str(e.CHART_VERSION) ?? KNOWN_AFTER_UP,
      alias: str(e.CHART_ALIAS) ?? "latest",
      change: push.change,
      previous: str(published?.version),
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
  const ghRest = resources.find(
    (r) => isCommand(r.parsed.type) && child("splai:release:GitHubRelease", r) === "release",
  );
  const ghProvider = resources.find((r) => r.parsed.type === "github:index/release:Release");
  const ghAssets = resources.find(
    (r) => isCommand(r.parsed.type) && child("splai:release:GitHubRelease", r) === "assets",
  );
  const gh = ghRest ?? ghProvider;
  if (gh !== undefined) {
    const e = ghRest ? env(ghRest) : (ghProvider?.newInputs ?? ghProvider?.oldInputs ?? {});
    const tag = ghRest ? str(e.RELEASE_TAG) : str(e.tagName);
    const title = ghRest ? str(e.RELEASE_NAME) : str(e.name);
    const pre = ghRest ? e.RELEASE_PRERELEASE === "true" : e.prerelease === true;
    // The assets are the binaries and SHA256SUMS (index.ts); while the binaries are rebuilt their paths are unknown.
    const files = str(env(ghAssets).ASSET_FILES);
    const assets =
      files !== undefined ? files.split("\n").filter((f) => f !== "") : [...binaries.map((b) => b.file), "SHA256SUMS"];
    githubRelease = {
      tag: tag ?? KNOWN_AFTER_UP,
      title: title ?? KNOWN_AFTER_UP,
      prerelease: pre,
      change: gh.change,
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

const VERB: Readonly<Record<Change, string>> = {
  create: "create",
  update: "update",
  replace: "replace",
  delete: "delete",
  same: "unchanged",
  read: "read",
};

const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export interface MarkdownOptions {
  /** Longest Markdown wanted (a pull-request comment holds 65,536 characters); detail is dropped to fit. Default 60,000. */
  readonly maxChars?: number;
  /** Command that applies the saved update plan, shown with it. */
  readonly applyCommand?: string;
}

function valueLines(values: readonly ValueChange[]): string[] {
  const lines: string[] = [];
  for (const v of values) {
    if (v.before !== undefined) lines.push(`- ${v.path}: ${v.before}`);
    if (v.after !== undefined) lines.push(`+ ${v.path}: ${v.after}`);
  }
  return lines;
}

/** The plan as Markdown for a job summary or pull-request comment. Markdown only: no HTML except one `<details>`. */
export function renderMarkdown(plan: ReleasePlan, opts: MarkdownOptions = {}): string {
  const max = opts.maxChars ?? 60_000;
  const render = (detail: { resources: boolean; valueLimit: number; binaries: boolean }): string => {
    const out: string[] = [];
    const v = plan.versions;
    out.push(`## Release plan for stack ${code(plan.stack)}`, "");
    if (v) {
      const what = v.mode === "tag" ? `tag ${code(v.ref)}` : `branch ${code(v.ref)}`;
      out.push(
        `**SPLAI ${v.app}** from ${what} at ${code(v.commit.slice(0, 12))}: chart ${code(v.chart)}, image tags ${v.imageTags.map(code).join(", ")}` +
          (v.sourceDateEpoch === undefined ? "." : `, SOURCE_DATE_EPOCH ${code(String(v.sourceDateEpoch))}.`),
        "",
      );
    }
    if (plan.promotedFrom) {
      const pf = plan.promotedFrom;
      out.push(
        `**Promotion** of ${code(pf.stack)} build ${code(pf.version)} (commit ${code(pf.sha.slice(0, 12))}): nothing is built; the release tags point at dev's image digests and dev's binaries are released.`,
        "",
      );
    }
    const c = plan.counts;
    out.push(
      "| create | update | replace | delete | unchanged |",
      "|---:|---:|---:|---:|---:|",
      `| ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${c.same} |`,
      "",
    );
    if (plan.resources.length === 0)
      out.push("Nothing changes: the `up` would build, push, deploy and publish nothing.", "");

    if (plan.images.length > 0) {
      out.push("### Images", "", "| Image | Tags | Platforms | Change | Digest |", "|---|---|---|---|---|");
      for (const i of plan.images) {
        const digest = i.digest === KNOWN_AFTER_UP ? "new, known after the build" : code(i.digest);
        const platforms =
          i.promotedFrom !== undefined
            ? `dev's: ${code(i.promotedFrom.slice(0, i.promotedFrom.lastIndexOf("@")))}`
            : i.platforms.join(", ");
        out.push(
          `| ${code(i.repository)} | ${i.tags.map(code).join(", ")} | ${platforms} | ${VERB[i.change]} | ${digest} |`,
        );
      }
      out.push("");
    }
    if (plan.binaries.length > 0) {
      const rebuilt = plan.binaries.filter((b) => b.change !== "same");
      out.push("### Binaries", "");
      if (rebuilt.length === 0) out.push(`All ${plan.binaries.length} binaries stay as they are.`);
      else if (plan.promotedFrom)
        out.push(`${rebuilt.length} of dev's binaries are copied (checked against dev's SHA256SUMS), not built.`);
      else if (!detail.binaries || rebuilt.length === plan.binaries.length)
        out.push(`${rebuilt.length} of ${plan.binaries.length} binaries are built.`);
      else
        out.push(
          `${rebuilt.length} of ${plan.binaries.length} binaries are built: ${rebuilt.map((b) => code(b.file)).join(", ")}.`,
        );
      out.push("");
    }
    if (plan.chart) {
      const ch = plan.chart;
      const from = ch.previous !== undefined && ch.previous !== ch.version ? ` (was ${code(ch.previous)})` : "";
      out.push(
        "### Helm chart",
        "",
        `${code(ch.ref)} version ${code(ch.version)}${from}, alias ${code(ch.alias)}: **${VERB[ch.change]}**.`,
        "",
      );
    }
    if (plan.helm) {
      const h = plan.helm;
      const cv =
        h.chartVersion.before !== undefined && h.chartVersion.before !== h.chartVersion.after
          ? `${code(h.chartVersion.before)} → ${code(h.chartVersion.after)}`
          : code(h.chartVersion.after);
      out.push(
        `### Helm release ${code(h.release)} in ${code(h.namespace)}`,
        "",
        `**${VERB[h.change]}**, chart version ${cv}.`,
        "",
      );
      if (h.values.length > 0) {
        const lines = valueLines(h.values);
        const shown = lines.slice(0, detail.valueLimit);
        const from =
          h.valuesFrom === "sources"
            ? " (from the stack's `helmValues` and the planned images, as the program computes them)"
            : "";
        out.push(`Values that change${from}:`, "", "```diff", ...shown, "```");
        if (shown.length < lines.length)
          out.push("", `${lines.length - shown.length} more value lines are in the JSON plan.`);
        out.push("");
      } else if (h.change !== "delete") {
        out.push("No Helm value changes.", "");
      }
    }
    if (plan.githubRelease) {
      const g = plan.githubRelease;
      out.push(
        "### GitHub release",
        "",
        `${code(g.tag)} “${cell(g.title)}”${g.prerelease ? ", a prerelease" : ""}: **${VERB[g.change]}**; ${g.assets.length} assets ${g.assetsChange === "same" ? "stay" : "are uploaded"}: ${g.assets.map(code).join(", ")}.`,
        "",
      );
    }
    if (detail.resources && plan.resources.length > 0) {
      out.push("<details><summary>Every resource that changes (" + String(plan.resources.length) + ")</summary>", "");
      out.push("| Resource | Type | Change | Changed inputs |", "|---|---|---|---|");
      for (const r of plan.resources)
        out.push(`| ${code(r.name)} | ${code(r.type)} | ${VERB[r.change]} | ${cell(r.diffs.join(", "))} |`);
      out.push("", "</details>", "");
    }
    if (plan.updatePlan !== undefined) {
      out.push(
        `The engine's update plan is saved as ${code(basename(plan.updatePlan))}${opts.applyCommand ? `; ${code(opts.applyCommand)} applies exactly this plan` : ""}.`,
        "",
      );
    }
    return out.join("\n");
  };
  // Detail goes in this order until the text fits: the resource table, the binary names, then value lines.
  for (const d of [
    { resources: true, valueLimit: Infinity, binaries: true },
    { resources: false, valueLimit: Infinity, binaries: true },
    { resources: false, valueLimit: 200, binaries: false },
    { resources: false, valueLimit: 40, binaries: false },
  ]) {
    const md = render(d);
    if (md.length <= max) return md;
  }
  const md = render({ resources: false, valueLimit: 0, binaries: false });
  return md.length <= max
    ? md
    : `${md.slice(0, Math.max(0, max - 60))}\n\n… (cut to fit; the JSON plan has everything)\n`;
}
