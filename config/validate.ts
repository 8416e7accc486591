// Reads the stack's splai-release config once, validates all of it before any resource exists, and returns it frozen.
import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { SPLAI_MAINS, type MainSpec } from "../shared/layout";
import type { ChangelogStyle } from "../components/github/changelog";
import { changelogProblems } from "./changelog";
import { clusterProblems } from "./cluster";
import { GITHUB_NAME, IMAGE_REF, OCI_PATH, q, REGISTRY_HOST, STACK_NAME } from "./format";
import { CONFIG, type ConfigKey } from "./table";
import { signingProblems, type SigningSettings } from "./signing";
import { treeProblems } from "./tree";

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
/** Images run on linux: every linux target is an image platform. */
export const KNOWN_IMAGE_PLATFORMS = KNOWN_TARGETS.filter((t) => t.startsWith("linux/"));

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
  linuxPackages?: string[];
  packageMaintainer?: string;
  packageLicense?: string;
  workerEnvironment?: Record<string, unknown>;
  homebrewTap?: string;
  changelog?: string;
  /** Path under the source tree. */
  changelogTemplate?: string;
  promoteFrom?: string;
  /** Where dev's binaries are on this machine when not at the paths dev recorded (a CI artifact); promotion only. */
  promoteBinariesDir?: string;
  /** Mains beyond SPLAI's own (a new service before this program knows it; the benchmarks' synthetic services). */
  extraMains?: { pkg?: unknown; binary?: unknown; image?: unknown }[];
  signing?: string;
  signingTlog?: boolean;
  trustedKeys?: string[];
  keylessIdentity?: string;
  keylessIssuer?: string;
  /** Whether the secrets were given (config or environment); their values never pass through validation. */
  hasRegistryPassword?: boolean;
  hasGithubToken?: boolean;
  hasSigningKey?: boolean;
  /** What is wrong with the signing key's shape (signingKeyProblem), read at load without keeping the value. */
  signingKeyProblem?: string;
}

// RawSettings has exactly the table's keys (secrets arrive as has*): a key added on one side only fails to compile.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const rawKeysMatchTable: SameKeys<
  Exclude<keyof RawSettings, "hasRegistryPassword" | "hasGithubToken" | "hasSigningKey" | "signingKeyProblem">,
  Exclude<ConfigKey, "registryPassword" | "githubToken" | "signingKey" | "signingPassword">
> = true;
void rawKeysMatchTable;

export interface Settings extends SigningSettings {
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
  /** nfpm formats of the Linux packages. */
  readonly linuxPackages: readonly string[];
  readonly packageMaintainer: string;
  readonly packageLicense: string;
  readonly workerEnvironment: Readonly<Record<string, string>>;
  /** `owner/name` of the Homebrew tap, or undefined when off. */
  readonly homebrewTap?: string;
  readonly changelog: ChangelogStyle;
  /** Absolute path of the template replacing the changelog's rendering; undefined renders it grouped or flat. */
  readonly changelogTemplate?: string;
  /** Stack whose images and binaries a tag release publishes instead of building (build once, promote); undefined builds. */
  readonly promoteFrom?: string;
  /** Directory holding dev's binaries (by file name) when they are not at the paths dev recorded; undefined: those paths. */
  readonly promoteBinariesDir?: string;
  readonly chartBaseVersion: string;
  readonly mains: readonly MainSpec[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`splai-release config is invalid; nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Docker's BuildKit SBOM generator (syft); the local platform pushes its own build of an equivalent one. */
export const DEFAULT_SBOM_GENERATOR = "docker/buildkit-syft-scanner:stable-1";

/**
 * Validates raw settings against the source tree. Collects every problem so one run reports them all.
 * `baseDir` resolves relative paths (Pulumi runs the program in the project directory).
 */
export function validateSettings(raw: RawSettings, baseDir: string, home = process.env.HOME ?? "/root"): Settings {
  const problems: string[] = [];
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));

  const source = abs(raw.source ?? CONFIG.source.default);
  const chartPath = abs(join(source, raw.chartPath ?? CONFIG.chartPath.default));
  const tree = treeProblems(raw, source, chartPath);
  problems.push(...tree.problems);
  const { extras, chartBaseVersion } = tree;

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

  const { changelog, changelogTemplate } = changelogProblems(raw, source, problems);
  const { namespace, releaseName } = clusterProblems(raw, abs, home, [...SPLAI_MAINS, ...extras], problems);
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
    problems.push(
      `builder ${q(raw.builder)} and builderEndpoints [${(raw.builderEndpoints ?? []).join(", ")}] are both set; choose one: 'pulumi config rm splai-release:builder' to build on the endpoints, or unset builderEndpoints (and SPLAI_BUILDER_ENDPOINTS, which npm run platform -- env exports with the fleet) to build on the builder`,
    );
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

  const linuxPackages = raw.linuxPackages ?? CONFIG.linuxPackages.default;
  for (const f of linuxPackages)
    if (!["deb", "rpm", "apk"].includes(f))
      problems.push(`linuxPackages: ${q(f)} is not a package format; accepted: deb, rpm, apk (or [] for none)`);
  for (const [k, v] of Object.entries(raw.workerEnvironment ?? {}))
    if (
      !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ||
      (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") ||
      /[\n"]/.test(String(v))
    )
      problems.push(
        `workerEnvironment.${k} ${q(v)}: use a variable name of letters, digits and _ and a one-line value without quotes`,
      );
  const homebrewTap = raw.homebrewTap ?? `${githubOwner}/homebrew-tap`;
  if (homebrewTap !== "none" && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(homebrewTap))
    problems.push(
      `homebrewTap ${q(homebrewTap)} is not a repository; use owner/name (for example splai/homebrew-tap) or none`,
    );
  if (raw.packageMaintainer !== undefined && !/^[^<>]+ <[^<>@\s]+@[^<>\s]+>$/.test(raw.packageMaintainer))
    problems.push(
      `packageMaintainer ${q(raw.packageMaintainer)} is not 'Name <email>'; for example 'SPLAI team <splai@example.com>'`,
    );
  const signing = signingProblems(raw, { owner: githubOwner, repo: githubRepo }, problems);
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({
    ...signing,
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
    linuxPackages: Object.freeze([...linuxPackages]),
    packageMaintainer: raw.packageMaintainer ?? `${githubOwner} <${githubOwner}@users.noreply.github.com>`,
    packageLicense: raw.packageLicense ?? CONFIG.packageLicense.default,
    workerEnvironment: Object.freeze(
      Object.fromEntries(Object.entries(raw.workerEnvironment ?? {}).map(([k, v]) => [k, String(v)])),
    ),
    homebrewTap: homebrewTap === "none" ? undefined : homebrewTap,
    changelog,
    changelogTemplate,
    promoteFrom: raw.promoteFrom,
    promoteBinariesDir: raw.promoteBinariesDir === undefined ? undefined : abs(raw.promoteBinariesDir),
    chartBaseVersion,
    mains: Object.freeze([...SPLAI_MAINS, ...extras]),
  });
}
