// The ko-style build context: staged per platform with fixed modes and content-derived times after any commit, so layers never depend on when they were built.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generatedDockerfile, STAGED_TIME, stagingScript } from "./dockerfile";

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)],
  );
}

describe("ko-style image context", () => {
  it("copies each platform's root in one step on scratch", () => {
    const d = generatedDockerfile({ binary: "splai-planner" });
    assert.match(d, /^FROM scratch\nARG TARGETOS\nARG TARGETARCH\nCOPY \$\{TARGETOS\}-\$\{TARGETARCH\}\/ \/\n/);
    assert.match(d, /USER 65532:65532\nENTRYPOINT \["\/ko-app\/splai-planner"\]/);
    assert.doesNotMatch(generatedDockerfile({ binary: "x", baseImage: "gcr.io/distroless/static" }), /SSL_CERT_FILE/);
  });

  it("stages binary, CA certificates and passwd per platform with fixed modes and times after any commit, derived from content", () => {
    const work = mkdtempSync(join(tmpdir(), "stage-"));
    const bins = ["amd64", "arm64"].map((arch) => {
      const path = join(work, `app-${arch}`);
      writeFileSync(path, `binary for ${arch}`);
      return { goos: "linux", goarch: arch, path };
    });
    const ctx = join(work, "ctx");
    const run = (): string =>
      execFileSync("/bin/sh", ["-c", stagingScript(ctx, "splai-planner", bins, true)], { encoding: "utf8" }).trim();
    const first = run();
    assert.match(first, /^[0-9a-f]{64}$/);
    const entries = walk(ctx);
    for (const arch of ["amd64", "arm64"]) {
      const root = join(ctx, `linux-${arch}`);
      assert.equal(lstatSync(join(root, "ko-app", "splai-planner")).mode & 0o777, 0o755);
      assert.equal(lstatSync(join(root, "etc", "passwd")).mode & 0o777, 0o644);
      assert.ok(lstatSync(join(root, "etc", "ssl", "certs", "ca-certificates.crt")).size > 1000);
    }
    const times = (): Map<string, number> => new Map([ctx, ...walk(ctx)].map((e) => [e, lstatSync(e).mtimeMs / 1000]));
    const before = times();
    for (const [e, t] of before) {
      assert.ok(
        t >= STAGED_TIME && t < STAGED_TIME + 100_000_000,
        `${e}: ${t} is after any commit, so rewrite-timestamp clamps it`,
      );
      if (lstatSync(e).isDirectory()) assert.equal(t, STAGED_TIME, e);
    }
    assert.equal(before.size, entries.length + 1);
    assert.equal(run(), first, "staging twice gives the same tree");
    assert.deepEqual(times(), before, "and the same times");
    // A rebuilt binary of the same size must look changed to BuildKit's context sync, which compares size and time.
    writeFileSync(bins[0].path, "binary for AMD64");
    run();
    const app = join(ctx, "linux-amd64", "ko-app", "splai-planner");
    assert.equal(lstatSync(app).size, lstatSync(join(ctx, "linux-arm64", "ko-app", "splai-planner")).size);
    assert.notEqual(lstatSync(app).mtimeMs, before.get(app), "new content, new time");
  });
});
