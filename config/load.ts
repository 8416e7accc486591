// Reads the stack's config and environment once: validated settings, secrets kept as Pulumi secrets, and the release versions.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, promotionProblems, validateSettings, type RawSettings, type Settings } from "./validate";
import { gitReader, resolveRef } from "../shared/gitref";
import { computeVersions, type ReleaseRef, type Versions } from "../shared/versioning";

export interface ReleaseConfig {
  readonly settings: Settings;
  readonly ref: ReleaseRef;
  readonly versions: Versions;
  readonly registryPassword: pulumi.Output<string>;
  readonly githubToken?: pulumi.Output<string>;
  readonly stack: string;
}

/** A secret from config, else from an environment variable (as CI secret stores provide), always wrapped as a secret. */
function secretFrom(cfg: pulumi.Config, key: string, envVar: string): pulumi.Output<string> | undefined {
  // Pulumi.yaml declares "" as the default; only a non-empty value counts as set.
  const raw = pulumi.runtime.getConfig(`splai-release:${key}`);
  if (raw !== undefined && raw !== "") return cfg.requireSecret(key);
  const fromEnv = process.env[envVar];
  return fromEnv === undefined || fromEnv === "" ? undefined : pulumi.secret(fromEnv);
}

/** Pulumi.yaml declares "" as the default of optional strings; treat it as unset. */
function str(cfg: pulumi.Config, key: string): string | undefined {
  const v = cfg.get(key);
  return v === undefined || v === "" ? undefined : v;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

/** An optional whole number: "" (the declared default) is unset; anything else is passed on for validation, as a number when it is one. */
function int(cfg: pulumi.Config, key: string): number | string | undefined {
  const v = str(cfg, key);
  return v === undefined ? undefined : /^-?\d+$/.test(v.trim()) ? Number(v) : v;
}

function intFromEnv(name: string): number | string | undefined {
  const v = nonEmpty(process.env[name]);
  return v === undefined ? undefined : /^-?\d+$/.test(v.trim()) ? Number(v) : v;
}

/** `true`/`false`, or `auto` (the declared default) meaning "decided by the release mode". */
function tristate(cfg: pulumi.Config, key: string): boolean | undefined {
  const v = str(cfg, key);
  if (v === undefined || v === "auto") return undefined;
  if (v === "true" || v === "false") return v === "true";
  throw new ConfigError([`${key} '${v}' is not accepted; use true, false or auto`]);
}

/**
 * The stack's release config, or a refusal printed as its message alone: the engine prints a `RunError` without the
 * "unhandled exception" banner, class name and stack trace it gives any other error.
 */
export function loadConfig(): ReleaseConfig {
  try {
    return readConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

/** Refuses the run with config problems found outside the loader, printed like the loader's. */
export function refuseConfig(problems: string[]): never {
  throw new pulumi.RunError(new ConfigError(problems).message);
}

function readConfig(): ReleaseConfig {
  const cfg = new pulumi.Config("splai-release");
  const registryPassword = secretFrom(cfg, "registryPassword", "SPLAI_REGISTRY_PASSWORD");
  const githubToken = secretFrom(cfg, "githubToken", "GITHUB_TOKEN");
  const raw: RawSettings = {
    source: str(cfg, "source"),
    chartPath: str(cfg, "chartPath"),
    distDir: str(cfg, "distDir"),
    builder: str(cfg, "builder"),
    builderEndpoints: cfg.getObject<string[]>("builderEndpoints"),
    mode: str(cfg, "mode"),
    // SPLAI_RELEASE_REF lets one run release (or plan) another ref without touching the stack's config, as
    // `npm run plan -- --ref` and the CI workflows do; CI's own ref variables come after it (lib/gitref.ts).
    ref: str(cfg, "ref") ?? nonEmpty(process.env.SPLAI_RELEASE_REF),
    sha: str(cfg, "sha"),
    buildNumber: int(cfg, "buildNumber") ?? intFromEnv("SPLAI_BUILD_NUMBER"),
    registry: str(cfg, "registry"),
    owner: str(cfg, "owner"),
    // CI passes unset variables as empty strings; empty means unset here too.
    registryUsername: str(cfg, "registryUsername") ?? nonEmpty(process.env.SPLAI_REGISTRY_USERNAME),
    platforms: cfg.getObject<string[]>("platforms"),
    binaryTargets: cfg.getObject<string[]>("binaryTargets"),
    baseImage: str(cfg, "baseImage"),
    attestations: tristate(cfg, "attestations"),
    sbomGenerator: str(cfg, "sbomGenerator") ?? nonEmpty(process.env.SPLAI_SBOM_GENERATOR),
    sourceDateEpoch: int(cfg, "sourceDateEpoch"),
    dockerfiles: cfg.getObject<Record<string, string>>("dockerfiles"),
    namespace: str(cfg, "namespace"),
    releaseName: str(cfg, "releaseName"),
    kubeconfig: str(cfg, "kubeconfig") ?? process.env.KUBECONFIG,
    kubeContext: str(cfg, "kubeContext"),
    deploy: cfg.getBoolean("deploy"),
    helmValues: cfg.getObject<Record<string, unknown>>("helmValues"),
    helmTimeout: cfg.getNumber("helmTimeout"),
    atomic: tristate(cfg, "atomic"),
    verify: tristate(cfg, "verify"),
    allowRollback: cfg.getBoolean("allowRollback"),
    githubOwner: str(cfg, "githubOwner"),
    githubRepo: str(cfg, "githubRepo"),
    githubBaseUrl: str(cfg, "githubBaseUrl"),
    githubRelease: tristate(cfg, "githubRelease"),
    breakingChanges: cfg.getObject<string[]>("breakingChanges"),
    extraMains: cfg.getObject<RawSettings["extraMains"]>("extraMains"),
    promoteFrom: str(cfg, "promoteFrom"),
    // CI sets SPLAI_PROMOTE_BINARIES_DIR on every release job; it matters only to a stack that promotes.
    promoteBinariesDir:
      str(cfg, "promoteBinariesDir") ?? (str(cfg, "promoteFrom") === undefined ? undefined : nonEmpty(process.env.SPLAI_PROMOTE_BINARIES_DIR)),
    hasRegistryPassword: registryPassword !== undefined,
    hasGithubToken: githubToken !== undefined,
  };
  const settings = validateSettings(raw, process.cwd());
  const ref = resolveRef(
    { mode: settings.mode, ref: settings.ref, sha: settings.sha, buildNumber: settings.buildNumber },
    process.env,
    gitReader(settings.source),
  );
  const versions = computeVersions(ref, settings.chartBaseVersion);
  if (settings.promoteFrom !== undefined) {
    const promotion = promotionProblems(settings.promoteFrom, {
      mode: versions.mode,
      ref: ref.ref,
      organization: pulumi.getOrganization(),
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
    });
    if (promotion.length) throw new ConfigError(promotion);
  }
  return Object.freeze({ settings, ref, versions, registryPassword: registryPassword!, githubToken, stack: pulumi.getStack() });
}
