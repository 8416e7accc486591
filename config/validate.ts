// Reads the stack's splai-release config once, validates all of it before any resource exists, and returns it frozen.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import * as YAML from "yaml";
import { SPLAI_MAINS, type MainSpec } from "../shared/layout";
import { CONFIG, type ConfigKey } from "./table";

export const KNOWN_TARGETS = [
  "linux/amd64",
  "linux/arm64",
  "linux/arm",
  "linux/386",
  "linux/ppc64le",
  "linux/s390x",
  "linux/riscv64",
  "darwin/amd64",
  "darwin/arm64",
];
export const KNOWN_IMAGE_PLATFORMS = [
  "linux/amd64",
  "linux/arm64",
  "linux/arm",
  "linux/386",
  "linux/ppc64le",
  "linux/s390x",
  "linux/riscv64",
];

/** Config as read, before validation: every field optional, types loose. */
export interface RawSettings {
  source?: string;
  chartPath?: string;
  distDir?: string;
  builder?: string;
  builderEndpoints?: string[];
  mode?: string;
  ref?: string;
  sha?: string;
  /** As written (a number, or text that is not one), so a refusal can quote it. */
  buildNumber?: number | string;
  registry?: string;
  owner?: string;
  registryUsername?: string;
  platforms?: string[];
  binaryTargets?: string[];
  baseImage?: string;
  attestations?: boolean;
  sbomGenerator?: string;
  sourceDateEpoch?: number | string;
  dockerfiles?: Record<string, string>;
  namespace?: string;
  releaseName?: string;
  kubeconfig?: string;
  kubeContext?: string;
  deploy?: boolean;
  helmValues?: Record<string, unknown>;
  helmTimeout?: number;
  atomic?: boolean;
  verify?: boolean;
  allowRollback?: boolean;
  githubOwner?: string;
  githubRepo?: string;
  githubBaseUrl?: string;
  githubRelease?: boolean;
  breakingChanges?: string[];
  promoteFrom?: string;
  /** Where dev's binaries are on this machine when not at the paths dev recorded (a CI artifact); promotion only. */
  promoteBinariesDir?: string;
  /** Mains beyond SPLAI's own (a new service before this program knows it; the benchmarks' synthetic services). */
  extraMains?: { pkg?: unknown; binary?: unknown; image?: unknown }[];
  /** Whether the secrets were given (config or environment); their values never pass through validation. */
  hasRegistryPassword?: boolean;
  hasGithubToken?: boolean;
}

// RawSettings has exactly the table's keys (secrets arrive as has*): a key added on one side only fails to compile.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const rawKeysMatchTable: SameKeys<
  Exclude<keyof RawSettings, "hasRegistryPassword" | "hasGithubToken">,
  Exclude<ConfigKey, "registryPassword" | "githubToken">
> = true;
void rawKeysMatchTable;

export interface Settings {
  readonly source: string;
  readonly chartPath: string;
  readonly distDir: string;
  readonly builder?: string;
  readonly builderEndpoints: readonly string[];
  readonly mode: "auto" | "tag" | "branch";
  readonly ref?: string;
  readonly sha?: string;
  readonly buildNumber?: number;
  readonly registry: string;
  readonly owner: string;
  readonly registryUsername: string;
  readonly platforms: readonly string[];
  readonly binaryTargets: readonly string[];
  readonly baseImage?: string;
  /** SBOM and provenance attestations: true (required), false, undefined = auto (on with a BuildKit builder). */
  readonly attestations?: boolean;
  readonly sbomGenerator: string;
  /** Overrides the commit time as SOURCE_DATE_EPOCH. */
  readonly sourceDateEpoch?: number;
  readonly dockerfiles: Readonly<Record<string, string>>;
  readonly namespace: string;
  /** Helm release name; default `splai`. */
  readonly releaseName: string;
  readonly kubeconfig?: string;
  readonly kubeContext?: string;
  readonly deploy: boolean;
  readonly helmValues: Readonly<Record<string, unknown>>;
  readonly helmTimeout: number;
  readonly atomic?: boolean;
  /** Post-deploy verification: true (real nodes required), false (Helm waits, no checks), undefined = auto (checks where pods really run). */
  readonly verify?: boolean;
  readonly allowRollback: boolean;
  readonly githubOwner: string;
  readonly githubRepo: string;
  readonly githubBaseUrl: string;
  readonly githubRelease?: boolean;
  readonly breakingChanges: readonly string[];
  /** Stack whose images and binaries a tag release publishes instead of building (build once, promote); undefined builds. */
  readonly promoteFrom?: string;
  /** Directory holding dev's binaries (by file name) when they are not at the paths dev recorded; undefined: those paths. */
  readonly promoteBinariesDir?: string;
  readonly chartBaseVersion: string;
  readonly mains: readonly MainSpec[];
}

/** The contexts a kubeconfig offers: from a document, a file, or the first readable file of a KUBECONFIG list. */
export function kubeconfigContexts(
  kubeconfig: string | undefined,
  home: string,
): { where: string; contexts: string[]; current?: string } | undefined {
  const files =
    kubeconfig === undefined
      ? [join(home, ".kube", "config")]
      : kubeconfig.includes("apiVersion")
        ? []
        : kubeconfig.split(":").filter(Boolean);
  const read = (text: string, where: string): { where: string; contexts: string[]; current?: string } => {
    const doc = (YAML.parse(text) ?? {}) as { contexts?: { name?: unknown }[]; "current-context"?: unknown };
    const contexts = (doc.contexts ?? []).map((c) => c.name).filter((n): n is string => typeof n === "string");
    const current =
      typeof doc["current-context"] === "string" && doc["current-context"] !== "" ? doc["current-context"] : undefined;
    return { where, contexts, current };
  };
  if (kubeconfig?.includes("apiVersion"))
    return read(kubeconfig, "the kubeconfig document in splai-release:kubeconfig");
  const merged = files.filter((f) => existsSync(f)).map((f) => read(readFileSync(f, "utf8"), f));
  if (merged.length === 0) return undefined;
  return {
    where: merged.map((m) => m.where).join(":"),
    contexts: [...new Set(merged.flatMap((m) => m.contexts))],
    current: merged.find((m) => m.current !== undefined)?.current,
  };
}

/** The chart value keys this program sets for every image it pins; a stack's helmValues must leave them alone. */
export const PINNED_IMAGE_KEYS = ["repository", "tag", "digest"];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`splai-release config is invalid; nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const REGISTRY_HOST =
  /^(localhost|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(:[0-9]{1,5})?$/;
const OCI_PATH = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const GITHUB_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
// Pulumi stack references: <stack>, <org>/<stack> or <org>/<project>/<stack>.
const STACK_NAME = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;
const IMAGE_REF =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/;

/** Docker's BuildKit SBOM generator (syft); the local platform pushes its own build of an equivalent one. */
export const DEFAULT_SBOM_GENERATOR = "docker/buildkit-syft-scanner:stable-1";

const q = (v: unknown): string => `'${typeof v === "string" ? v : JSON.stringify(v)}'`;

function hasPackageMain(dir: string): boolean {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return false;
  return readdirSync(dir).some(
    (f) => f.endsWith(".go") && !f.endsWith("_test.go") && /^package main\b/m.test(readFileSync(join(dir, f), "utf8")),
  );
}

function get(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * Validates raw settings against the source tree. Collects every problem so one run reports them all.
 * `baseDir` resolves relative paths (Pulumi runs the program in the project directory).
 */
export function validateSettings(raw: RawSettings, baseDir: string, home = process.env.HOME ?? "/root"): Settings {
  const problems: string[] = [];
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));

  const source = abs(raw.source ?? CONFIG.source.default);
  const chartPath = abs(join(source, raw.chartPath ?? CONFIG.chartPath.default));
  let chartBaseVersion = "0.0.0";
  const extras: MainSpec[] = [];
  const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
  for (const [i, e] of (raw.extraMains ?? []).entries()) {
    const where = `extraMains[${i}]`;
    if (typeof e.pkg !== "string" || !e.pkg.startsWith("./"))
      problems.push(`${where}.pkg ${q(e.pkg)} must be a package path like ./cmd/<name>`);
    else if (!hasPackageMain(join(source, e.pkg)))
      problems.push(`${where}.pkg ${q(e.pkg)}: no 'package main' .go file in ${join(source, e.pkg)}`);
    if (typeof e.binary !== "string" || !NAME.test(e.binary))
      problems.push(`${where}.binary ${q(e.binary)} must be lower-case letters, digits and '-'`);
    if (e.image !== undefined && (typeof e.image !== "string" || !NAME.test(e.image)))
      problems.push(`${where}.image ${q(e.image)} must be lower-case letters, digits and '-'`);
    const clash = [...SPLAI_MAINS, ...extras].find(
      (m) => m.binary === e.binary || (e.image !== undefined && m.image === e.image),
    );
    if (clash) problems.push(`${where}: binary ${q(e.binary)} or image ${q(e.image)} is already used by ${clash.pkg}`);
    extras.push({
      pkg: String(e.pkg),
      binary: String(e.binary),
      image: typeof e.image === "string" ? e.image : undefined,
    });
  }
  if (!existsSync(join(source, "go.mod"))) {
    problems.push(
      `source ${q(raw.source ?? ".")}: no go.mod in ${source}; point splai-release:source at the root of a SPLAI checkout`,
    );
  } else {
    for (const m of SPLAI_MAINS) {
      if (!hasPackageMain(join(source, m.pkg)))
        problems.push(
          `source ${q(raw.source ?? ".")}: main package ${m.pkg} (binary ${m.binary}) is missing; expected a 'package main' .go file in ${join(source, m.pkg)}`,
        );
    }
  }
  const chartYaml = join(chartPath, "Chart.yaml");
  if (!existsSync(chartYaml)) {
    problems.push(`chartPath ${q(raw.chartPath ?? "charts/splai")}: no Chart.yaml in ${chartPath}`);
  } else {
    const chart = YAML.parse(readFileSync(chartYaml, "utf8")) as { version?: string | number };
    chartBaseVersion = String(chart.version ?? "");
    const values = existsSync(join(chartPath, "values.yaml"))
      ? (YAML.parse(readFileSync(join(chartPath, "values.yaml"), "utf8")) as unknown)
      : {};
    for (const m of SPLAI_MAINS.filter((x) => x.valuesKey)) {
      for (const leaf of ["repository", "tag"]) {
        if (get(values, [m.valuesKey!, "image", leaf]) === undefined) {
          problems.push(
            `chartPath ${q(raw.chartPath ?? "charts/splai")}: values.yaml lacks ${m.valuesKey}.image.${leaf}; the release pins ${m.valuesKey}'s image through it`,
          );
        }
      }
    }
  }

  const mode: string = raw.mode ?? CONFIG.mode.default;
  if (!["auto", "tag", "branch"].includes(mode))
    problems.push(`mode ${q(mode)} is not accepted; use auto, tag or branch`);
  if (raw.sha !== undefined && !/^[0-9a-fA-F]{7,40}$/.test(raw.sha))
    problems.push(`sha ${q(raw.sha)} is not a git commit SHA (7-40 hex characters)`);
  if (
    raw.buildNumber !== undefined &&
    (typeof raw.buildNumber !== "number" || !Number.isInteger(raw.buildNumber) || raw.buildNumber < 0)
  )
    problems.push(`buildNumber ${q(raw.buildNumber)} must be a non-negative integer`);

  const registry = raw.registry ?? CONFIG.registry.default;
  if (!REGISTRY_HOST.test(registry))
    problems.push(
      `registry ${q(registry)} is not a registry host; expected host[:port] in lower case, for example ghcr.io or 127.0.0.1:5443`,
    );
  const owner = raw.owner ?? raw.githubOwner;
  if (owner === undefined)
    problems.push(
      "owner is not set; set splai-release:owner to the registry namespace (for example your GitHub organisation, in lower case)",
    );
  else if (!OCI_PATH.test(owner))
    problems.push(
      `owner ${q(owner)} is not a valid repository path component; use lower-case letters, digits and separators (.-_/)`,
    );

  const platforms: readonly string[] = raw.platforms ?? CONFIG.platforms.default;
  const targets: readonly string[] = raw.binaryTargets ?? CONFIG.binaryTargets.default;
  for (const p of platforms)
    if (!KNOWN_IMAGE_PLATFORMS.includes(p))
      problems.push(
        `platforms: ${q(p)} is not a supported image platform; accepted: ${KNOWN_IMAGE_PLATFORMS.join(", ")}`,
      );
  for (const t of targets)
    if (!KNOWN_TARGETS.includes(t))
      problems.push(`binaryTargets: ${q(t)} is not a supported GOOS/GOARCH; accepted: ${KNOWN_TARGETS.join(", ")}`);
  for (const p of platforms)
    if (KNOWN_IMAGE_PLATFORMS.includes(p) && !targets.includes(p))
      problems.push(`platforms: images for ${p} need binaries for it; add ${q(p)} to splai-release:binaryTargets`);
  if (platforms.length === 0)
    problems.push("platforms is empty; give at least one image platform, for example linux/amd64");

  if (raw.baseImage !== undefined && !IMAGE_REF.test(raw.baseImage))
    problems.push(
      `baseImage ${q(raw.baseImage)} is not an image reference (registry/repository[:tag][@sha256:digest])`,
    );
  const sbomGenerator = raw.sbomGenerator ?? DEFAULT_SBOM_GENERATOR;
  if (!IMAGE_REF.test(sbomGenerator))
    problems.push(
      `sbomGenerator ${q(sbomGenerator)} is not an image reference (registry/repository[:tag][@sha256:digest])`,
    );
  if (raw.attestations === true && raw.builder === undefined && (raw.builderEndpoints ?? []).length === 0)
    problems.push(
      "attestations is true but no BuildKit builder is configured; set splai-release:builder (a buildx builder with a BuildKit endpoint) or builderEndpoints, or attestations auto/false",
    );
  if (
    raw.sourceDateEpoch !== undefined &&
    (typeof raw.sourceDateEpoch !== "number" || !Number.isInteger(raw.sourceDateEpoch) || raw.sourceDateEpoch < 0)
  )
    problems.push(`sourceDateEpoch ${q(raw.sourceDateEpoch)} must be a non-negative number of seconds since 1970`);
  const images = SPLAI_MAINS.filter((m) => m.image).map((m) => m.image!);
  for (const [svc, file] of Object.entries(raw.dockerfiles ?? {})) {
    if (!images.includes(svc))
      problems.push(`dockerfiles: ${q(svc)} is not an image; accepted keys: ${images.join(", ")}`);
    else if (!existsSync(abs(join(source, file))))
      problems.push(`dockerfiles.${svc}: ${q(file)} does not exist under the source directory`);
  }

  const namespace = raw.namespace ?? CONFIG.namespace.default;
  if (!DNS1123_LABEL.test(namespace) || namespace.length > 63)
    problems.push(
      `namespace ${q(namespace)} is not a DNS-1123 label; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  const releaseName = raw.releaseName ?? CONFIG.releaseName.default;
  if (!DNS1123_LABEL.test(releaseName) || releaseName.length > 53)
    problems.push(
      `releaseName ${q(releaseName)} is not a Helm release name; use at most 53 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  const kubeconfigFiles =
    raw.kubeconfig === undefined || raw.kubeconfig.includes("apiVersion")
      ? []
      : raw.kubeconfig.split(":").filter(Boolean);
  if (kubeconfigFiles.length > 0 && !kubeconfigFiles.some((f) => existsSync(abs(f)))) {
    problems.push(`kubeconfig ${q(raw.kubeconfig)} is neither a kubeconfig document nor an existing file`);
  } else if (raw.deploy !== false) {
    // A context that is not there would let the up build and push everything, then fail at the deployment.
    const kc = kubeconfigContexts(kubeconfigFiles.length ? kubeconfigFiles.map(abs).join(":") : raw.kubeconfig, home);
    if (kc === undefined)
      problems.push(
        `kubeconfig: no kubeconfig found (splai-release:kubeconfig and KUBECONFIG are unset and ${join(home, ".kube", "config")} does not exist); set splai-release:kubeconfig, or splai-release:deploy false to release without deploying`,
      );
    else if (raw.kubeContext !== undefined && !kc.contexts.includes(raw.kubeContext))
      problems.push(
        `kubeContext ${q(raw.kubeContext)} is not a context of ${kc.where}; its contexts are: ${kc.contexts.join(", ") || "(none)"} — set splai-release:kubeContext to one of them`,
      );
    else if (raw.kubeContext === undefined && kc.current === undefined)
      problems.push(
        `kubeContext is unset and ${kc.where} has no current-context; set splai-release:kubeContext to one of: ${kc.contexts.join(", ") || "(none)"}`,
      );
  }
  for (const m of [...SPLAI_MAINS, ...extras].filter((x) => x.valuesKey)) {
    const image = get(raw.helmValues, [m.valuesKey!, "image"]);
    for (const k of PINNED_IMAGE_KEYS) {
      const v = get(image, [k]);
      if (v !== undefined)
        problems.push(
          `helmValues.${m.valuesKey}.image.${k} is set to ${q(v)}, but the release pins ${m.valuesKey}'s image to what it built (<tag>@sha256:<digest>); remove helmValues.${m.valuesKey}.image.${k} from the stack's config`,
        );
    }
  }
  const helmTimeout = raw.helmTimeout ?? CONFIG.helmTimeout.default;
  if (!Number.isInteger(helmTimeout) || helmTimeout <= 0)
    problems.push(`helmTimeout ${q(raw.helmTimeout)} must be a positive number of seconds`);

  const githubOwner = raw.githubOwner ?? owner ?? "";
  const githubRepo = raw.githubRepo ?? CONFIG.githubRepo.default;
  if (!GITHUB_NAME.test(githubOwner)) problems.push(`githubOwner ${q(githubOwner)} is not a GitHub account name`);
  if (!GITHUB_NAME.test(githubRepo)) problems.push(`githubRepo ${q(githubRepo)} is not a GitHub repository name`);
  const githubBaseUrl = raw.githubBaseUrl ?? CONFIG.githubBaseUrl.default;
  try {
    const u = new URL(githubBaseUrl);
    if (!["http:", "https:"].includes(u.protocol)) throw new Error();
  } catch {
    problems.push(`githubBaseUrl ${q(githubBaseUrl)} is not an http(s) URL`);
  }

  if (raw.hasRegistryPassword === false) {
    problems.push(
      "registryPassword is missing; set it with 'pulumi config set --secret splai-release:registryPassword' or the SPLAI_REGISTRY_PASSWORD environment variable",
    );
  }
  if (raw.githubRelease !== false && raw.hasGithubToken === false) {
    problems.push(
      "githubToken is missing; set it with 'pulumi config set --secret splai-release:githubToken' or GITHUB_TOKEN, or turn releases off with splai-release:githubRelease false",
    );
  }
  for (const e of raw.builderEndpoints ?? []) {
    if (!/^(unix|tcp|ssh|docker-container|kube-pod):\/\//.test(e))
      problems.push(
        `builderEndpoints: ${q(e)} is not a BuildKit address; use unix:///path, tcp://host:port or ssh://user@host`,
      );
  }
  if (raw.builder !== undefined && (raw.builderEndpoints ?? []).length > 0)
    problems.push("builder and builderEndpoints are both set; choose one");
  if (raw.promoteFrom !== undefined) {
    if (!STACK_NAME.test(raw.promoteFrom))
      problems.push(
        `promoteFrom ${q(raw.promoteFrom)} is not a stack name; use the dev stack's fully qualified name <organization>/<project>/<stack>, for example organization/splai-release/dev (file or object-store backend)`,
      );
    if (mode === "branch")
      problems.push(
        `promoteFrom ${q(raw.promoteFrom)} is set on a branch build (mode 'branch'); promotion publishes a tag release — use it on the prod stack (mode tag or auto on a v* tag), or unset splai-release:promoteFrom`,
      );
  }

  if (raw.promoteBinariesDir !== undefined && raw.promoteFrom === undefined)
    problems.push(
      `promoteBinariesDir ${q(raw.promoteBinariesDir)} is set but promoteFrom is not; it says where a promotion finds dev's binaries — set splai-release:promoteFrom or unset promoteBinariesDir`,
    );

  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({
    source,
    chartPath,
    distDir: abs(raw.distDir ?? join(source, "dist", "release")),
    builder: raw.builder,
    builderEndpoints: Object.freeze([...(raw.builderEndpoints ?? [])]),
    mode: mode as Settings["mode"],
    ref: raw.ref,
    sha: raw.sha?.toLowerCase(),
    buildNumber: raw.buildNumber as number | undefined,
    registry,
    owner: owner!,
    registryUsername: raw.registryUsername ?? owner!,
    platforms: Object.freeze([...platforms]),
    binaryTargets: Object.freeze([...targets]),
    baseImage: raw.baseImage,
    attestations: raw.attestations,
    sbomGenerator,
    sourceDateEpoch: raw.sourceDateEpoch as number | undefined,
    dockerfiles: Object.freeze({ ...(raw.dockerfiles ?? {}) }),
    namespace,
    releaseName,
    kubeconfig:
      raw.kubeconfig === undefined || raw.kubeconfig.includes("apiVersion") ? raw.kubeconfig : abs(raw.kubeconfig),
    kubeContext: raw.kubeContext,
    deploy: raw.deploy ?? true,
    helmValues: Object.freeze({ ...(raw.helmValues ?? {}) }),
    helmTimeout,
    atomic: raw.atomic,
    verify: raw.verify,
    allowRollback: raw.allowRollback ?? false,
    githubOwner,
    githubRepo,
    githubBaseUrl,
    githubRelease: raw.githubRelease,
    breakingChanges: Object.freeze([...(raw.breakingChanges ?? [])]),
    promoteFrom: raw.promoteFrom,
    promoteBinariesDir: raw.promoteBinariesDir === undefined ? undefined : abs(raw.promoteBinariesDir),
    chartBaseVersion,
    mains: Object.freeze([...SPLAI_MAINS, ...extras]),
  });
}

/** Where the program runs: the checks that need the resolved release mode and the stack's own name. */
export interface PromotionContext {
  readonly mode: "tag" | "branch";
  readonly ref: string;
  readonly organization: string;
  readonly project: string;
  readonly stack: string;
}

/**
 * Problems of `promoteFrom` that show only once the ref is resolved (mode auto): promotion makes tag releases, and a stack
 * cannot promote from itself. Empty when promoteFrom is unset or fine.
 */
export function promotionProblems(promoteFrom: string | undefined, ctx: PromotionContext): string[] {
  if (promoteFrom === undefined) return [];
  const problems: string[] = [];
  if (ctx.mode !== "tag")
    problems.push(
      `promoteFrom ${q(promoteFrom)} is set, but ref ${q(ctx.ref)} is a branch build; promotion publishes tag releases only — release a v<major>.<minor>.<patch> tag, or unset splai-release:promoteFrom`,
    );
  const parts = promoteFrom.split("/");
  const self =
    parts[parts.length - 1] === ctx.stack &&
    (parts.length === 1 || parts[0] === ctx.organization) &&
    (parts.length < 3 || parts[1] === ctx.project);
  if (self)
    problems.push(
      `promoteFrom ${q(promoteFrom)} names this stack itself; set it to the dev stack whose build is released, for example organization/${ctx.project}/dev`,
    );
  return problems;
}
