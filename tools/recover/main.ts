// `npm run recover -- --stack <name> [--cwd <dir>] [--up]`: after an update was interrupted (killed CLI, lost CI runner),
// clear the stale lock, list and clear the pending operations, and with --up converge again.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { filesUnder, repairSidecars } from "../lib/backend";
import { info, runMain, UserError } from "../lib/log";
import { repoRoot } from "../lib/paths";
import { envCredentials, parseS3BackendUrl, S3Client } from "../lib/s3";

interface Options {
  stack: string;
  cwd: string;
  up: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Partial<Options> = { cwd: repoRoot, up: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack") o.stack = argv[++i];
    else if (a === "--cwd") o.cwd = argv[++i];
    else if (a === "--up") o.up = true;
    else
      throw new UserError(
        `unknown argument '${a}'; use: npm run recover -- --stack <name> [--cwd <program dir>] [--up]`,
      );
  }
  if (!o.stack)
    throw new UserError("--stack is required: npm run recover -- --stack <name> [--cwd <program dir>] [--up]");
  return o as Options;
}

function pulumi(o: Options, args: string[], capture = false): string {
  const r = spawnSync("pulumi", [...args, "--stack", o.stack, "--non-interactive"], {
    cwd: o.cwd,
    encoding: "utf8",
    stdio: capture ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new UserError(`cannot run pulumi: ${r.error.message}`);
  if (r.status !== 0)
    throw new UserError(`pulumi ${args.join(" ")} failed (exit ${r.status})${capture ? `:\n${r.stderr.trim()}` : ""}`);
  return capture ? r.stdout : "";
}

interface LockFile {
  path: string;
  pid: number;
  hostname: string;
}

/** Is `key` (`…/.pulumi/locks/<org>/<project>/<stack>/<id>.json`) a lock of `stack`? */
const isLockOf = (key: string, stack: string): boolean =>
  key.endsWith(".json") && basename(dirname(key)) === stack.split("/").pop();

/** Lock files of a file:// backend for this stack (`.pulumi/locks/**\/<stack>/*.json`). */
function fileLocks(backendUrl: string, stack: string): LockFile[] {
  const root = join(fileURLToPath(backendUrl), ".pulumi", "locks");
  return filesUnder(root)
    .filter((p) => isLockOf(p, stack))
    .map((p) => {
      const l = JSON.parse(readFileSync(p, "utf8")) as { pid: number; hostname: string };
      return { path: p, pid: l.pid, hostname: l.hostname };
    });
}

/**
 * Lock objects of an s3:// backend for this stack, read with the AWS variables the CLI uses; undefined when those are
 * not set (the CLI may have other credentials, such as a profile or an instance role, that this script cannot use).
 */
async function s3Locks(backendUrl: string, stack: string): Promise<LockFile[] | undefined> {
  const loc = parseS3BackendUrl(backendUrl);
  const creds = loc && envCredentials(loc.region);
  if (!loc || !creds) return undefined;
  const client = new S3Client(loc.endpoint, creds);
  const keys = (await client.list(loc.bucket, `${loc.prefix}.pulumi/locks/`)).filter((k) => isLockOf(k, stack));
  return Promise.all(
    keys.map(async (k) => {
      const l = JSON.parse(await client.get(loc.bucket, k)) as { pid: number; hostname: string };
      return { path: `s3://${loc.bucket}/${k}`, pid: l.pid, hostname: l.hostname };
    }),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

runMain(async () => {
  const o = parseArgs(process.argv.slice(2));
  const backend =
    process.env.PULUMI_BACKEND_URL ?? (JSON.parse(pulumi(o, ["whoami", "--json"], true)) as { url?: string }).url ?? "";
  info("recover", `stack ${o.stack} on ${backend}`);

  // 0. Metadata sidecars a killed CLI left truncated (backends created without metadata=skip): while one is empty, every
  // command, `cancel` included, fails with `failed to load checkpoint: EOF`.
  if (backend.startsWith("file://")) {
    const removed = repairSidecars(fileURLToPath(backend));
    if (removed.length)
      info("recover", `removed ${removed.length} truncated metadata sidecar(s): ${removed.join(", ")}`);
  }

  // 1. The lock. A lock whose process still runs means the update is not interrupted: refuse rather than race it.
  const locks = backend.startsWith("file://") ? fileLocks(backend, o.stack) : await s3Locks(backend, o.stack);
  if (locks) {
    for (const l of locks) {
      if (l.hostname === hostname() && alive(l.pid))
        throw new UserError(
          `pulumi pid ${l.pid} still holds the lock ${l.path} and is running: wait for it to finish or stop it, then run recover again`,
        );
    }
    if (locks.length) {
      info(
        "recover",
        `clearing ${locks.length} stale lock(s): ${locks.map((l) => `pid ${l.pid}@${l.hostname}`).join(", ")}`,
      );
      pulumi(o, ["cancel", "--yes"]);
    } else info("recover", "no lock held");
  } else {
    info("recover", "asking the backend to cancel any update in progress");
    spawnSync("pulumi", ["cancel", "--yes", "--stack", o.stack, "--non-interactive"], { cwd: o.cwd, stdio: "inherit" });
  }

  // 2. The operations the interrupted update had started but not finished. They are dropped from the state with an
  // export/import round trip (ciphertexts stay as they are), so the next up creates or updates those resources again.
  // That is safe here: image builds are reproducible (same digest), chart pushes and GitHub releases are idempotent
  // upserts. This needs no refresh (which would also re-read every image and the Helm release from their providers).
  const exported = pulumi(o, ["stack", "export"], true);
  const state = JSON.parse(exported) as {
    deployment?: { pending_operations?: { type: string; resource: { urn: string } }[] };
  };
  const pending = state.deployment?.pending_operations ?? [];
  for (const op of pending) info("recover", `pending ${op.type}: ${op.resource.urn}`);
  info("recover", `${pending.length} pending operation(s)`);
  if (pending.length > 0 && state.deployment) {
    const dir = mkdtempSync(join(tmpdir(), "splai-recover-"));
    try {
      const file = join(dir, "state.json");
      writeFileSync(file, JSON.stringify({ ...state, deployment: { ...state.deployment, pending_operations: [] } }), {
        mode: 0o600,
      });
      pulumi(o, ["stack", "import", "--file", file]);
      info("recover", "pending operations cleared");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  if (o.up) {
    info("recover", "pulumi up");
    pulumi(o, ["up", "--yes", "--skip-preview", "--suppress-progress"]);
    info("recover", "converged");
  } else info("recover", "recovered; run 'pulumi up' (or add --up) to converge");
});
