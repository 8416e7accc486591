// Shared state in object storage: the release's stack on the platform's S3 store (versitygw), as a team's CI would keep
// it: a release and a no-op, two runners starting the same stack at once, a killed runner recovered, the store going away.
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { repoRoot } from "../../tools/lib/paths";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { releaseProject, type ReleaseProject } from "../../tools/lib/release-project";
import { S3Client } from "../../tools/lib/s3";
import type { StateMode } from "../../tools/platform/state";

/** Short ups: no deployment, no GitHub release, no attestations. */
const FAST = {
  "splai-release:deploy": { value: "false" },
  "splai-release:githubRelease": { value: "false" },
  "splai-release:attestations": { value: "false" },
};
/** ... and one platform, one binary target, one Linux package (lists are set by path). */
const FAST_LISTS = {
  "splai-release:platforms[0]": { value: "linux/amd64" },
  "splai-release:binaryTargets[0]": { value: "linux/amd64" },
  "splai-release:linuxPackages[0]": { value: "deb" },
};

const log = (s: string): void => {
  process.stderr.write(s);
};

describe("Pulumi state in object storage (S3)", { timeout: 40 * 60_000 }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let store: S3Client;
  /** The platform's state mode before this file switched it to S3, restored at the end. */
  let previousMode: StateMode | undefined;
  const checkouts: string[] = [];

  /** Edits a service's main (so its binary and image change) and commits it. */
  const change = (service: string, marker: string): void => {
    const file = join(proj.source, "cmd", service, "main.go");
    writeFileSync(file, readFileSync(file, "utf8").replace("func main() {", `func main() {\n\t_ = "${marker}"`));
    proj.git("commit", "-qam", `${service}: ${marker}`);
  };
  /** What a preview would change, reads (the pre-flight StackReference) aside. */
  const changes = async (st: Stack): Promise<string[]> =>
    Object.keys((await st.preview()).changeSummary).filter((k) => k !== "read" && k !== "same");
  /** The same stack opened from another copy of the program, as a second CI runner's checkout would. */
  const secondCheckout = async (): Promise<Stack> => {
    const dir = mkdtempSync(join(tmpdir(), `splai-${proj.id}-checkout-`));
    checkouts.push(dir);
    const program = join(dir, "program");
    cpSync(proj.stack.workspace.workDir, program, { recursive: true, verbatimSymlinks: true });
    return LocalWorkspace.selectStack(
      { stackName: proj.stack.name, workDir: program },
      { envVars: proj.stack.workspace.envVars },
    );
  };
  const stateKeys = async (): Promise<string[]> => {
    const prefix = `tests/${proj.id}/`;
    return (await store.list(p.state.s3.bucket, prefix)).map((k) => k.slice(prefix.length));
  };

  before(async () => {
    const current = platform();
    if (current.state.pulumi.mode !== "s3" || !current.state.procs.versitygw) {
      previousMode = current.state.pulumi.mode;
      current.platformCmd("up", "--state", "s3");
    }
    p = platform();
    store = new S3Client(p.state.s3.endpoint, {
      accessKeyId: p.state.s3.accessKeyId,
      secretAccessKey: p.state.s3.secretAccessKey,
      region: p.state.s3.region,
    });
    proj = await releaseProject(p, { backend: "s3", config: FAST });
    await proj.stack.setAllConfig(FAST_LISTS, true);
  });
  after(async () => {
    // A case that stopped the store may have failed before starting it again.
    p.platformCmd("up");
    await proj?.cleanup();
    for (const d of checkouts) rmSync(d, { recursive: true, force: true });
    if (previousMode === "file") p.platformCmd("up", "--state", "file");
  });

  it("releases with its state in the bucket, secrets under the passphrase; a second up changes nothing", async () => {
    assert.match(proj.backend.url, /^s3:\/\/splai-state\/tests\/[a-z0-9]+\?endpoint=http:\/\/127\.0\.0\.1:\d+&/);
    const up = await proj.stack.up({ onOutput: log });
    assert.equal(up.summary.result, "succeeded");
    const keys = await stateKeys();
    assert.ok(
      keys.includes(`.pulumi/stacks/splai-release/${proj.id}.json`),
      `the checkpoint is an object of the bucket: ${keys.join(", ")}`,
    );
    assert.ok(!keys.some((k) => k.startsWith(".pulumi/locks/")), "no lock left after the update");
    const exported = await proj.stack.exportStack();
    const d = exported.deployment as { secrets_providers?: { type: string } };
    assert.equal(d.secrets_providers?.type, "passphrase", "secrets stay encrypted by the passphrase provider");
    const checkpoint = await store.get(
      p.state.s3.bucket,
      `tests/${proj.id}/.pulumi/stacks/splai-release/${proj.id}.json`,
    );
    assert.ok(!checkpoint.includes(p.state.registry.password), "no plaintext registry password in the stored state");
    assert.match(checkpoint, /"ciphertext"/, "the stored state carries the secrets as ciphertext");

    const again = await proj.stack.up({ onOutput: log });
    assert.equal(again.summary.result, "succeeded");
    assert.deepEqual(
      Object.keys(again.summary.resourceChanges ?? {}).filter((k) => k !== "same" && k !== "read"),
      [],
      `the second up changed nothing: ${JSON.stringify(again.summary.resourceChanges)}`,
    );
  });

  it("two ups of the stack from two checkouts at once: the second is refused by the S3 lock, the first converges", async () => {
    change("planner", "two-runners");
    const other = await secondCheckout();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const first = proj.stack.up({
      onOutput: log,
      onEvent: (e) => {
        if (e.resourcePreEvent) started();
      },
    });
    await running;
    const refused = await other.up({ onOutput: log }).then(
      () => "the second up succeeded",
      (e: Error) => e.message,
    );
    log(`second checkout's up: ${refused}\n`);
    assert.match(refused, /the stack is currently locked by 1 lock\(s\)/);
    assert.match(
      refused,
      new RegExp(`s3://splai-state/tests/${proj.id}/\\.pulumi/locks/\\S+\\.json`),
      "the message names the lock object",
    );
    const r = await first;
    assert.equal(r.summary.result, "succeeded");
    assert.ok((r.summary.resourceChanges?.update ?? 0) + (r.summary.resourceChanges?.create ?? 0) > 0);
    // Nothing lost: the other runner reads exactly what the first one wrote (its own preview would differ only in
    // the program's path, which the step commands carry), and the first has nothing left to do.
    const seen = await other.outputs();
    assert.deepEqual(seen.imageDigests.value, r.outputs.imageDigests.value, "the other checkout sees the new digests");
    assert.deepEqual(seen.versions.value, r.outputs.versions.value);
    const pending =
      ((await other.exportStack()).deployment as { pending_operations?: unknown[] }).pending_operations ?? [];
    assert.equal(pending.length, 0, "no pending operation in the shared state");
    assert.deepEqual(await changes(proj.stack), [], "the first checkout converged");
  });

  it("a SIGKILLed up leaves its lock in the bucket; npm run recover clears it and the pending operations, and converges", async () => {
    change("scheduler", "sigkill");
    const ws = proj.stack.workspace;
    const env = { ...process.env, ...ws.envVars };
    const cli = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", proj.stack.name], {
      cwd: ws.workDir,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    let fired = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the scheduler image step never started:\n${text}`)), 180_000);
      const onData = (b: Buffer): void => {
        text += b.toString();
        if (!fired && /images-scheduler\s.*(creating|updating)/.test(text)) {
          fired = true;
          clearTimeout(timer);
          setTimeout(() => {
            process.kill(-cli.pid!, "SIGKILL");
            resolve();
          }, 1500);
        }
      };
      cli.stdout.on("data", onData);
      cli.stderr.on("data", onData);
    });
    await new Promise((r) => cli.on("close", r));
    assert.equal((await stateKeys()).filter((k) => k.startsWith(".pulumi/locks/")).length, 1, "the lock object stays");
    await assert.rejects(proj.stack.up(), /the stack is currently locked by 1 lock/);

    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(repoRoot, "tools", "recover", "main.ts"),
        "--stack",
        proj.stack.name,
        "--cwd",
        ws.workDir,
        "--up",
      ],
      { cwd: repoRoot, env, encoding: "utf8", timeout: 900_000 },
    );
    log(r.stderr);
    assert.equal(r.status, 0, `recover failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /stack \S+ on s3:\/\/splai-state\/tests\//);
    assert.match(r.stderr, /clearing 1 stale lock\(s\): pid \d+@/);
    assert.match(r.stderr, /pending (creating|updating): .*images-scheduler/);
    assert.match(r.stderr, /pending operations cleared/);
    assert.match(r.stderr, /converged/);
    assert.deepEqual(
      (await stateKeys()).filter((k) => k.startsWith(".pulumi/locks/")),
      [],
      "no lock left after recovery",
    );
    const pending =
      ((await proj.stack.exportStack()).deployment as { pending_operations?: unknown[] }).pending_operations ?? [];
    assert.equal(pending.length, 0);
    assert.deepEqual(await changes(proj.stack), [], "converged");
  });

  it("the object store stopping mid-up fails it with a clear error; back up, the next up converges", async () => {
    change("api-gateway", "store-outage");
    let stopped = false;
    let restarted = false;
    const err = await proj.stack
      .up({
        onOutput: (s) => {
          log(s);
          if (!stopped && /images-api-gateway\s.*(creating|updating)/.test(s)) {
            stopped = true;
            p.platformCmd("stop", "versitygw");
          } else if (stopped && !restarted && /failed to save snapshot/.test(s)) {
            // The store comes back while the update winds down, as after a short outage: the engine's later writes
            // (the final checkpoint, the lock's removal) succeed again.
            restarted = true;
            p.platformCmd("up");
          }
        },
      })
      .then(
        () => "the up succeeded",
        (e: Error) => e.message,
      );
    log(`up during the outage: ${err}\n`);
    assert.ok(stopped, "the store was stopped during the api-gateway image step");
    assert.match(
      err,
      new RegExp(`failed to save snapshot: .*127\\.0\\.0\\.1:${p.state.ports.s3}.*connect: connection refused`, "s"),
      "the error says the checkpoint could not be written, and where",
    );
    if (!restarted) p.platformCmd("up");
    const up = await proj.stack.up({ onOutput: log });
    assert.equal(up.summary.result, "succeeded");
    assert.deepEqual(await changes(proj.stack), [], "converged");
  });
});
