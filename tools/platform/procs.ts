// Background services for the local platform: start detached with a log, find them again by pid, stop only our own.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, readlinkSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { UserError } from "../lib/log";
import { tail } from "../lib/exec";

export interface ProcRecord {
  pid: number;
  /** Resolved executable, to tell our process from an unrelated one that reused the pid. */
  exe: string;
  log: string;
  started: string;
}

/** True when `pid` runs and is still the executable we started. */
export function isOurs(rec: ProcRecord | undefined): boolean {
  if (!rec) return false;
  try {
    process.kill(rec.pid, 0);
  } catch {
    return false;
  }
  try {
    const exe = readlinkSync(`/proc/${rec.pid}/exe`).replace(/ \(deleted\)$/, "");
    if (exe === rec.exe) return true;
    // Scripts run under node: compare the command line instead.
    return readFileSync(`/proc/${rec.pid}/cmdline`, "utf8").includes(rec.exe);
  } catch {
    return false;
  }
}

export function startDetached(
  exe: string,
  args: string[],
  log: string,
  env: NodeJS.ProcessEnv,
  cwd?: string,
): ProcRecord {
  const fd = openSync(log, "a");
  const child = spawn(exe, args, { detached: true, stdio: ["ignore", fd, fd], env, cwd });
  closeSync(fd);
  if (child.pid === undefined) throw new UserError(`could not start ${exe} (see ${log})`);
  child.unref();
  return { pid: child.pid, exe, log, started: new Date().toISOString() };
}

export async function stop(rec: ProcRecord, timeoutMs = 15_000): Promise<void> {
  if (!isOurs(rec)) return;
  const signal = (s: NodeJS.Signals): void => {
    try {
      // Negative pid: the whole process group the service started.
      process.kill(-rec.pid, s);
    } catch {
      try {
        process.kill(rec.pid, s);
      } catch {
        /* already gone */
      }
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(rec.pid, 0);
    } catch {
      return;
    }
    await sleep(200);
  }
  signal("SIGKILL");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves when nobody listens on 127.0.0.1:port; rejects naming the fix otherwise. */
export function assertPortFree(port: number, service: string, envVar: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", () =>
      reject(
        new UserError(
          `port ${port} for ${service} is already in use by another process; stop it (ss -ltnp 'sport = :${port}') or pick another port with ${envVar}=<port>`,
        ),
      ),
    );
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve()));
  });
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: "127.0.0.1" });
    sock.setTimeout(1000);
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
    sock.once("timeout", () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/** Polls `ready` until it returns true; fails after timeout with the service's log tail. */
export async function waitReady(
  service: string,
  rec: ProcRecord | undefined,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    if (rec && !isOurs(rec)) {
      throw new UserError(`${service} exited during start-up; log ${rec.log}:\n${tail(rec.log)}`);
    }
    await sleep(500);
  }
  throw new UserError(
    `${service} was not ready after ${timeoutMs / 1000}s${rec ? `; log ${rec.log}:\n${tail(rec.log)}` : ""}`,
  );
}
