// What a local platform service is (tools/platform/services/*) and how one is started, stopped and found ready.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { which } from "../lib/exec";
import { elapsed, info, UserError } from "../lib/log";
import { toolBinDir } from "../lib/paths";
import type { Pki } from "./certs";
import { assertPortFree, isOurs, stop, waitReady, type ProcRecord } from "./procs";
import { writeState, type NodeMode, type PlatformState, type StateMode } from "./state";

export function bin(name: string): string {
  const p = join(toolBinDir, name);
  if (existsSync(p)) return p;
  const onPath = which(name);
  if (onPath) return onPath;
  throw new UserError(`${name} is not installed; run: npm run toolchain`);
}

export interface Service {
  name: string;
  /** Ports that must be free before start. */
  ports: (s: PlatformState) => [number, string][];
  start: (s: PlatformState, pki: Pki) => Promise<ProcRecord>;
  ready: (s: PlatformState, pki: Pki) => Promise<boolean>;
  timeoutMs: number;
  describe: (s: PlatformState) => string;
  /** Runs only in this node mode; default: always. */
  node?: NodeMode;
  /** Runs only when the platform's Pulumi state lives there (`up --state s3`); default: always. */
  state?: StateMode;
  /** Runs only when the platform was started with its BuildKit fleet (`up --fleet`); default: always. */
  fleet?: boolean;
  /** Once ready (also when found running): set-up that needs the service up, such as a bucket. */
  afterReady?: (s: PlatformState, pki: Pki) => Promise<void>;
  /** Stops the service (default: SIGTERM to its process group, then SIGKILL). */
  stop?: (s: PlatformState, pki: Pki, rec: ProcRecord) => Promise<void>;
}

export const enabled = (svc: Service, s: PlatformState): boolean =>
  (svc.node === undefined || svc.node === (s.node?.mode ?? "fake")) &&
  (svc.state === undefined || svc.state === (s.pulumi.mode ?? "file")) &&
  (svc.fleet !== true || s.fleet?.enabled === true);

export const logOf = (s: PlatformState, name: string): string => join(s.dir, "logs", `${name}.log`);
export const data = (s: PlatformState, name: string): string => {
  const d = join(s.dir, "data", name);
  mkdirSync(d, { recursive: true });
  return d;
};

export async function stopService(svc: Service, s: PlatformState, pki: Pki): Promise<void> {
  const rec = s.procs[svc.name];
  if (!rec) return;
  if (isOurs(rec)) {
    info(svc.name, `stopping pid ${rec.pid}`);
    await (svc.stop ? svc.stop(s, pki, rec) : stop(rec));
  } else {
    info(svc.name, `pid ${rec.pid} is not running (stale record removed)`);
    if (svc.stop) await svc.stop(s, pki, rec);
  }
  delete s.procs[svc.name];
  writeState(s);
}

export async function startService(svc: Service, s: PlatformState, pki: Pki): Promise<void> {
  const rec = s.procs[svc.name];
  if (isOurs(rec)) {
    if (await svc.ready(s, pki).catch(() => false)) {
      info(svc.name, `already running (pid ${rec.pid})`);
      await svc.afterReady?.(s, pki);
      return;
    }
    info(svc.name, `pid ${rec.pid} is not healthy; restarting it`);
    await (svc.stop ? svc.stop(s, pki, rec) : stop(rec));
  } else if (rec) {
    info(svc.name, `stale pid ${rec.pid} (process gone); starting anew`);
  }
  for (const [p, envVar] of svc.ports(s)) await assertPortFree(p, svc.name, envVar);
  const t = Date.now();
  const started = await svc.start(s, pki);
  s.procs[svc.name] = started;
  writeState(s);
  await waitReady(svc.name, started, () => svc.ready(s, pki), svc.timeoutMs);
  await svc.afterReady?.(s, pki);
  info(svc.name, `ready in ${elapsed(t)}: ${svc.describe(s)}`);
}
