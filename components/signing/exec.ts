// Step side: runs cosign with registry credentials in a throwaway Docker config and the key only in its environment.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PASSWORD_ENV, PRIVATE_KEY_ENV } from "./cosign";

export interface CosignContext {
  /** Registry host the credentials are for. */
  readonly registry: string;
  readonly username: string;
  readonly password: string;
  /** Key mode: the private key and its password (only signing steps get them). */
  readonly privateKey?: string;
  readonly keyPassword?: string;
}

export interface CosignResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** A directory that lives as long as `f` runs (synchronously; see withTempDirAsync). */
export function withTempDir<T>(prefix: string, f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A directory that lives until the promise `f` returns settles. */
export async function withTempDirAsync<T>(prefix: string, f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `cosign <args>`. Registry credentials go into a Docker config file of a private temporary directory (cosign
 * reads DOCKER_CONFIG), never argv; the key and its password into cosign's environment, never a file.
 */
export function cosign(args: readonly string[], ctx: CosignContext): CosignResult {
  return withTempDir("splai-cosign-", (dir) => {
    const auth = Buffer.from(`${ctx.username}:${ctx.password}`).toString("base64");
    writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: { [ctx.registry]: { auth } } }), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: dir };
    delete env[PRIVATE_KEY_ENV];
    delete env[PASSWORD_ENV];
    if (ctx.privateKey !== undefined && ctx.privateKey !== "") env[PRIVATE_KEY_ENV] = ctx.privateKey;
    // cosign asks on the terminal when the variable is unset; an empty password is a valid answer.
    env[PASSWORD_ENV] = ctx.keyPassword ?? "";
    const r = spawnSync("cosign", [...args], { encoding: "utf8", env, timeout: 300_000, stdio: "pipe" });
    if (r.error) throw new Error(`cannot run cosign (is the toolchain's cosign on PATH?): ${r.error.message}`);
    return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
  });
}

/** Runs cosign and fails with its output when it fails. */
export function cosignOrFail(args: readonly string[], ctx: CosignContext): string {
  const r = cosign(args, ctx);
  if (!r.ok) throw new Error(`cosign ${args[0]} failed:\n${lastLines(`${r.stdout}${r.stderr}`)}`);
  return r.stdout;
}

/** The end of a tool's output, enough to say why it failed. */
export const lastLines = (s: string, n = 6): string => s.trim().split("\n").slice(-n).join("\n");
