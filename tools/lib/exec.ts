// Child-process helpers: capture output, stream into log files, and never wait without a timeout.
import { spawn, spawnSync, type SpawnOptions } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { UserError } from "./log";

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Every line of combined output is appended here. */
  logFile?: string;
  /** Called with each output line (stdout and stderr). */
  onLine?: (line: string) => void;
  /** Kill the process and fail after this many milliseconds. Default: 60 minutes. */
  timeoutMs?: number;
  input?: string;
}

/** Runs a command to completion; rejects with the log's tail when it fails or times out. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 60 * 60 * 1000;
  return new Promise((resolve, reject) => {
    const log = opts.logFile ? createWriteStream(opts.logFile, { flags: "a" }) : undefined;
    const spawnOpts: SpawnOptions = { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] };
    const child = spawn(cmd, args, spawnOpts);
    let out = "";
    let pending = "";
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      out += text;
      log?.write(text);
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) opts.onLine?.(line);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    // A command that exits without reading its input (ip, umount) must not crash us with EPIPE.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(opts.input ?? "");
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      log?.end();
      reject(new UserError(`cannot run ${cmd}: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (pending) opts.onLine?.(pending);
      log?.end();
      if (code === 0) return resolve(out);
      const why = signal
        ? `was killed (${signal}${signal === "SIGKILL" ? `, timeout ${timeoutMs / 1000}s?` : ""})`
        : `exited ${code}`;
      const tail = out.trimEnd().split("\n").slice(-25).join("\n");
      reject(new UserError(`${cmd} ${args.join(" ")} ${why}${opts.logFile ? ` (log: ${opts.logFile})` : ""}\n${tail}`));
    });
  });
}

/** Runs a short command synchronously; returns stdout or undefined when it fails or is missing. */
export function tryCapture(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: env ?? process.env, timeout: 30_000 });
  if (r.error || r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`;
}

/** Last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Full path of an executable on PATH, or undefined. */
export function which(name: string, path = process.env.PATH ?? ""): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v "$0"`, name], { encoding: "utf8", env: { ...process.env, PATH: path } });
  const found = r.stdout.trim();
  return r.status === 0 && found.startsWith("/") ? found : undefined;
}
