// Moves a stack state written by the stand-ins (before 37ad192: `commandProvider: dynamic`, `githubApi: rest`) onto the
// real plugins' resources, without running anything: each dynamic `splai:LocalCommand` becomes the
// `command:local:Command` the real plugin would have stored for the same inputs, and the REST release command becomes
// the `github:index/release:Release` (with its explicit github provider) that `githubApi: provider` would have made.
// Works on an export taken with --show-secrets; every value that was secret stays a secret (re-encrypted on import).
import { randomUUID } from "node:crypto";

/** The SDK's marker of a secret value in a state file. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export const STAND_IN_TYPE = "pulumi-nodejs:dynamic/splai:LocalCommand";
export const COMMAND_TYPE = "command:local:Command";
export const RELEASE_TYPE = "github:index/release:Release";

export interface StateResource {
  urn: string;
  custom: boolean;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string;
  provider?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  [key: string]: unknown;
}

export interface Deployment {
  manifest: unknown;
  resources?: StateResource[];
  pending_operations?: unknown[];
  [key: string]: unknown;
}

export interface Versions {
  command: string;
  github: string;
}

export interface MigrationReport {
  /** Stand-in commands now `command:local:Command`, by their new URN. */
  commands: string[];
  /** REST releases now `github:index/release:Release` (URN and release id); refresh them once to read GitHub. */
  releases: { urn: string; id: string; provider: string }[];
}

type SecretBox = { [SECRET_SIG]: string; plaintext?: string; ciphertext?: string };

function isSecret(v: unknown): v is SecretBox {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** A value as the program set it, and whether it was secret; an encrypted one (no --show-secrets) is an error. */
export function reveal(v: unknown, what: string): { value: unknown; secret: boolean } {
  if (!isSecret(v)) return { value: v, secret: false };
  if (v.plaintext === undefined)
    throw new Error(`${what} is encrypted in this export: export the stack with --show-secrets (npm run migrate does)`);
  return { value: JSON.parse(v.plaintext) as unknown, secret: true };
}

export const secretOf = (value: unknown): SecretBox => ({
  [SECRET_SIG]: SECRET_VALUE,
  plaintext: JSON.stringify(value),
});

/** The URN with its own type (the last of the type chain) replaced; parents' types stay. */
export function retype(urn: string, type: string): string {
  const parts = urn.split("::");
  const chain = parts[2].split("$");
  chain[chain.length - 1] = type;
  parts[2] = chain.join("$");
  return parts.join("::");
}

function stackAndProject(urn: string): { stack: string; project: string } {
  const parts = urn.split("::");
  return { stack: parts[0].replace(/^urn:pulumi:/, ""), project: parts[1] };
}

/** The last JSON line a step printed (the REST release step printed `{"id":…,"url":…}`). */
function lastJsonLine(stdout: unknown): Record<string, unknown> {
  const line = (typeof stdout === "string" ? stdout : "").trim().split("\n").pop();
  try {
    return JSON.parse(line ?? "") as Record<string, unknown>;
  } catch {
    return {};
  }
}

function isRestRelease(r: StateResource): boolean {
  if (r.type !== STAND_IN_TYPE || !r.urn.endsWith("-release")) return false;
  const env = reveal(r.inputs?.environment, `${r.urn} environment`).value as Record<string, unknown> | undefined;
  return env !== undefined && "RELEASE_TAG" in env;
}

/** Inputs of the command the real plugin stores: the same shell inputs plus its defaults and the program's logging. */
function commandInputs(inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { addPreviousOutputInEnv: true, logging: "stderr" };
  for (const k of ["create", "update", "delete", "dir", "environment", "triggers"])
    if (inputs[k] !== undefined && inputs[k] !== null) out[k] = inputs[k];
  return out;
}

function providerRef(urn: string, id: string): string {
  return `${urn}::${id}`;
}

/**
 * Rewrites the stand-ins of one deployment. Returns the new deployment (the input is not changed) and what moved.
 * A deployment with pending operations is refused: an interrupted update is recovered first (`npm run recover`).
 */
export function migrateStandIns(d: Deployment, v: Versions): { deployment: Deployment; report: MigrationReport } {
  if ((d.pending_operations ?? []).length > 0)
    throw new Error(
      `the state has ${d.pending_operations!.length} pending operation(s) from an interrupted update: run npm run recover -- --stack <name> first`,
    );
  const resources = (d.resources ?? []).map((r) => structuredClone(r));
  const stand = resources.filter((r) => r.type === STAND_IN_TYPE);
  const report: MigrationReport = { commands: [], releases: [] };
  if (stand.length === 0) return { deployment: { ...d, resources }, report };
  const { stack, project } = stackAndProject(stand[0].urn);
  const renamed = new Map<string, string>();
  const added: StateResource[] = [];

  // The default command provider, as the engine registers it for a program using @pulumi/command.
  const commandProviderUrn = `urn:pulumi:${stack}::${project}::pulumi:providers:command::default_${v.command.replace(/\./g, "_")}`;
  let commandProvider = resources.find((r) => r.urn === commandProviderUrn);
  if (!commandProvider) {
    commandProvider = {
      urn: commandProviderUrn,
      custom: true,
      id: randomUUID(),
      type: "pulumi:providers:command",
      inputs: { version: v.command },
      outputs: { version: v.command },
    };
    added.push(commandProvider);
  }

  for (const r of stand) {
    const inputs = r.inputs ?? {};
    if (isRestRelease(r)) {
      const env = reveal(inputs.environment, `${r.urn} environment`).value as Record<string, string>;
      const info = lastJsonLine(reveal(r.outputs?.stdout, `${r.urn} stdout`).value);
      if (typeof info.id !== "number")
        throw new Error(
          `${r.urn}: its output names no release id (stdout's last line is not {"id":…}); refresh it first`,
        );
      const component = r.urn.slice(0, -"-release".length).split("::").pop()!;
      const parentChain = r.urn.split("::")[2].split("$").slice(0, -1).join("$");
      const providerUrn = `urn:pulumi:${stack}::${project}::${parentChain}$pulumi:providers:github::${component}-github`;
      const token = reveal(inputs.environment, "token").secret ? secretOf(env.GITHUB_TOKEN) : env.GITHUB_TOKEN;
      const providerInputs: Record<string, unknown> = {
        owner: env.GITHUB_OWNER,
        token,
        // The stand-in always passed a base URL; the provider was given one only when it was not GitHub's own.
        ...(env.GITHUB_BASE_URL && env.GITHUB_BASE_URL !== "https://api.github.com/"
          ? { baseUrl: env.GITHUB_BASE_URL }
          : {}),
        version: v.github,
      };
      const provider: StateResource = {
        urn: providerUrn,
        custom: true,
        id: randomUUID(),
        type: "pulumi:providers:github",
        parent: r.parent,
        inputs: providerInputs,
        outputs: providerInputs,
      };
      added.push(provider);
      const releaseInputs = {
        repository: env.GITHUB_REPO,
        tagName: env.RELEASE_TAG,
        targetCommitish: env.RELEASE_COMMIT,
        name: env.RELEASE_NAME,
        body: env.RELEASE_BODY,
        draft: false,
        prerelease: env.RELEASE_PRERELEASE === "true",
      };
      const urn = retype(r.urn, RELEASE_TYPE);
      renamed.set(r.urn, urn);
      Object.assign(r, {
        urn,
        type: RELEASE_TYPE,
        id: String(info.id),
        provider: providerRef(providerUrn, provider.id!),
        inputs: releaseInputs,
        outputs: { ...releaseInputs, releaseId: info.id, htmlUrl: info.url ?? "" },
      });
      report.releases.push({ urn, id: String(info.id), provider: providerUrn });
      continue;
    }
    const urn = retype(r.urn, COMMAND_TYPE);
    renamed.set(r.urn, urn);
    const next = commandInputs(inputs);
    const outputs: Record<string, unknown> = { ...next };
    for (const k of ["stdout", "stderr"]) if (r.outputs?.[k] !== undefined) outputs[k] = r.outputs[k];
    Object.assign(r, {
      urn,
      type: COMMAND_TYPE,
      provider: providerRef(commandProviderUrn, commandProvider.id!),
      inputs: next,
      outputs,
    });
    report.commands.push(urn);
  }

  // Every reference to a moved resource follows it.
  const follow = (u: string): string => renamed.get(u) ?? u;
  for (const r of resources) {
    if (r.parent) r.parent = follow(r.parent);
    if (r.dependencies) r.dependencies = r.dependencies.map(follow);
    if (r.propertyDependencies)
      for (const k of Object.keys(r.propertyDependencies))
        r.propertyDependencies[k] = r.propertyDependencies[k].map(follow);
    if (typeof r.deletedWith === "string") r.deletedWith = follow(r.deletedWith);
  }
  // The dynamic provider has nothing left to manage.
  const kept = resources.filter((r) => !(r.type === "pulumi:providers:pulumi-nodejs" && !usedProvider(resources, r)));
  // Providers go before the resources they manage: the state is ordered by dependency.
  const firstUser = (p: StateResource): number => kept.findIndex((r) => r.provider?.startsWith(`${p.urn}::`));
  for (const p of added) {
    const at = firstUser(p);
    kept.splice(at < 0 ? kept.length : at, 0, p);
  }
  return { deployment: { ...d, resources: kept }, report };
}

function usedProvider(resources: StateResource[], p: StateResource): boolean {
  return resources.some((r) => r.provider?.startsWith(`${p.urn}::`));
}
