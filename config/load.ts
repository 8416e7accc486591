// Reads the stack's config and environment once: validated settings, secrets kept as Pulumi secrets, and the release versions.
import * as pulumi from "@pulumi/pulumi";
import { CONFIG, NAMESPACE, RETIRED, type ConfigEntry, type ConfigKey } from "./table";
import { releaseChangelog } from "./changelog";
import { promotionProblems } from "./promotion";
import { signingKeyProblem } from "./signing";
import { ConfigError, validateSettings, type RawSettings, type Settings } from "./validate";
import { gitReader, resolveRef } from "../shared/gitref";
import { computeVersions, type ReleaseRef, type Versions } from "../shared/versioning";

export interface ReleaseConfig {
  readonly settings: Settings;
  readonly ref: ReleaseRef;
  readonly versions: Versions;
  /** The release notes' changelog in Markdown ("" when there is nothing to say), read from git at load. */
  readonly changelog: string;
  readonly registryPassword: pulumi.Output<string>;
  readonly githubToken?: pulumi.Output<string>;
  /** signing: key — the cosign private key and its password, secrets. */
  readonly signingKey?: pulumi.Output<string>;
  readonly signingPassword?: pulumi.Output<string>;
  readonly stack: string;
}

/** A secret from config, else from its environment variable (as CI secret stores provide), always wrapped as a secret. */
function secretFrom(cfg: pulumi.Config, key: ConfigKey): pulumi.Output<string> | undefined {
  // Pulumi.yaml declares "" as the default; only a non-empty value counts as set.
  const raw = pulumi.runtime.getConfig(`${NAMESPACE}:${key}`);
  if (raw !== undefined && raw !== "") return cfg.requireSecret(key);
  const envVar = (CONFIG[key] as ConfigEntry).env;
  const fromEnv = envVar === undefined ? undefined : nonEmpty(process.env[envVar]);
  return fromEnv === undefined ? undefined : pulumi.secret(fromEnv);
}

/** What is wrong with the signing key's shape, if it is set: the value itself is looked at here only, never kept. */
function signingKeyShape(): string | undefined {
  const raw =
    nonEmpty(pulumi.runtime.getConfig(`${NAMESPACE}:signingKey`)) ?? nonEmpty(process.env[CONFIG.signingKey.env]);
  return raw === undefined ? undefined : signingKeyProblem(raw);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

/** A whole number as a number; anything else as written, for validation to refuse with its value. */
const wholeNumber = (v: string): number | string => (/^-?\d+$/.test(v.trim()) ? Number(v) : v);

/**
 * Every key of the table as the stack sets it, else from its environment variable; "" (Pulumi.yaml's declared default
 * of optional keys) and `auto` count as unset. Problems of form (a tristate that is none of true/false/auto) are collected.
 */
export function readRawSettings(
  cfg: pulumi.Config,
  env: NodeJS.ProcessEnv = process.env,
): { raw: Record<string, unknown>; problems: string[] } {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(CONFIG) as [ConfigKey, ConfigEntry][]) {
    const text = nonEmpty(cfg.get(key));
    const fromEnv = entry.env === undefined ? undefined : nonEmpty(env[entry.env]);
    switch (entry.kind) {
      case "secret":
        continue;
      case "string":
        raw[key] = text ?? fromEnv;
        break;
      case "integer":
        raw[key] = text !== undefined ? wholeNumber(text) : fromEnv !== undefined ? wholeNumber(fromEnv) : undefined;
        break;
      case "boolean":
        raw[key] = cfg.getBoolean(key);
        break;
      case "tristate":
        if (text === undefined || text === "auto") break;
        if (text === "true" || text === "false") raw[key] = text === "true";
        else problems.push(`${key} '${text}' is not accepted; use true, false or auto`);
        break;
      case "list":
        // From the environment: comma-separated (a CI variable holds one line).
        raw[key] =
          cfg.getObject(key) ??
          fromEnv
            ?.split(",")
            .map((e) => e.trim())
            .filter((e) => e !== "");
        break;
      case "map":
        raw[key] = cfg.getObject(key);
        break;
    }
  }
  // A stack that names its buildx builder keeps it: builder endpoints from the environment (a CI variable, or
  // `platform env` with the fleet up) apply only to a stack that sets neither.
  if (nonEmpty(cfg.get("builder")) !== undefined && cfg.getObject("builderEndpoints") === undefined)
    delete raw.builderEndpoints;
  return { raw, problems };
}

/** Warnings for keys of this namespace that the program does not read: retired ones say what replaced them. */
export function unknownKeyWarnings(all: Readonly<Record<string, string>>): string[] {
  return Object.keys(all)
    .filter((k) => k.startsWith(`${NAMESPACE}:`))
    .map((k) => k.slice(NAMESPACE.length + 1))
    .filter((k) => !(k in CONFIG))
    .map((k) =>
      k in RETIRED
        ? `${NAMESPACE}:${k} is no longer read: ${RETIRED[k]}; remove it with: pulumi config rm ${NAMESPACE}:${k}`
        : `${NAMESPACE}:${k} is not a key of this program (a typo?); the keys are in Pulumi.yaml and the README's configuration table`,
    );
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
  const cfg = new pulumi.Config(NAMESPACE);
  for (const w of unknownKeyWarnings(pulumi.runtime.allConfig())) void pulumi.log.warn(w);
  const registryPassword = secretFrom(cfg, "registryPassword");
  const githubToken = secretFrom(cfg, "githubToken");
  const signingKey = secretFrom(cfg, "signingKey");
  const signingPassword = secretFrom(cfg, "signingPassword");
  const { raw: read, problems } = readRawSettings(cfg);
  if (problems.length) throw new ConfigError(problems);
  // The environment's ref (SPLAI_RELEASE_REF) lets one run release or plan another ref without touching the stack's
  // config (`npm run plan -- --ref`, the CI workflows); CI's own ref variables come after it (shared/gitref.ts).
  // CI sets SPLAI_PROMOTE_BINARIES_DIR on every release job; it matters only to a stack that promotes.
  if (read.promoteFrom === undefined && nonEmpty(cfg.get("promoteBinariesDir")) === undefined)
    delete read.promoteBinariesDir;
  const raw: RawSettings = {
    ...(read as RawSettings),
    hasRegistryPassword: registryPassword !== undefined,
    hasGithubToken: githubToken !== undefined,
    hasSigningKey: signingKey !== undefined,
    signingKeyProblem: signingKeyShape(),
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
  const changelog = releaseChangelog(settings, ref, versions, (w) => void pulumi.log.warn(w));
  return Object.freeze({
    settings,
    ref,
    versions,
    changelog,
    registryPassword: registryPassword!,
    githubToken,
    signingKey,
    signingPassword,
    stack: pulumi.getStack(),
  });
}
