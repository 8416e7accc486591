// GoBinaries on its own under mocks: a `go build` per main and target, its trigger, SHA256SUMS, outputs; no Go needed.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { binaryFile, SPLAI_MAINS, type Target } from "../../shared/layout";
import { valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import { makeTree } from "../../test/support/tree";
import { binaryChildren } from "./contract";
import { GoBinaries } from "./GoBinaries";
import type { LocalPackage } from "./sourcehash";

const TARGETS: readonly Target[] = [
  { goos: "linux", goarch: "amd64" },
  { goos: "linux", goarch: "arm64" },
  { goos: "darwin", goarch: "arm64" },
];
const OUT = "/dist/out";
const VERSION = "1.2.3";
const CMD = "command:local:Command";
const fakeSha = (s: string): string => createHash("sha256").update(s).digest("hex");

let monitor: MockMonitor;
let binaries: GoBinaries;
let source: string;
/** What the component asked the package lister, call by call. */
const asked: { source: string; mains: readonly string[] }[] = [];

/**
 * `go list` without Go: each main is its own directory, and the gateway also imports the module's `internal/auth`, so a
 * package shared by some mains is in their triggers only.
 */
function fakePackagesOf(src: string, mains: readonly string[]): Map<string, LocalPackage[]> {
  asked.push({ source: src, mains });
  return new Map(
    mains.map((pkg) => [
      pkg,
      [
        { dir: join(src, pkg), embeds: [] },
        ...(pkg === "./cmd/api-gateway" ? [{ dir: join(src, "internal/auth"), embeds: ["policy.json"] }] : []),
      ],
    ]),
  );
}

const args = () => ({
  source,
  mains: SPLAI_MAINS,
  targets: TARGETS,
  outDir: OUT,
  version: VERSION,
  packagesOf: fakePackagesOf,
});

before(async () => {
  source = makeTree();
  mkdirSync(join(source, "internal/auth"), { recursive: true });
  writeFileSync(join(source, "internal/auth/auth.go"), "package auth\n");
  writeFileSync(join(source, "internal/auth/policy.json"), "{}\n");
  ({ monitor, value: binaries } = await withMocks(
    ({ type, name, inputs }) => {
      if (type !== CMD) return undefined;
      // The SHA256SUMS command prints the file it wrote from $SUMS; a build prints its binary's checksum.
      if (name.endsWith("-sha256sums")) return { stdout: (inputs.environment as { SUMS: string }).SUMS };
      return { stdout: `${fakeSha(name)}\n` };
    },
    () => {
      const first = new GoBinaries("binaries", args());
      // Triggers are hashed when the component is constructed: the same tree, edited, under other names.
      writeFileSync(join(source, "cmd/planner/main.go"), "package main\n\nfunc main() { println() }\n");
      new GoBinaries("planner-edited", args());
      writeFileSync(join(source, "internal/auth/policy.json"), '{"deny": true}\n');
      new GoBinaries("auth-edited", args());
      writeFileSync(join(source, "cmd/planner/main_test.go"), "package main\n");
      new GoBinaries("test-added", args());
      return first;
    },
  ));
  await valueOf(binaries.checksums);
});

const files = SPLAI_MAINS.flatMap((m) => TARGETS.map((t) => ({ main: m, target: t, file: binaryFile(m.binary, t) })));
const buildOf = (component: string, file: string) => monitor.find(CMD, binaryChildren(component).build(file));
const triggerOf = (component: string, file: string): string => {
  const triggers = buildOf(component, file).inputs.triggers as string[];
  assert.equal(triggers.length, 1, `${file}: one trigger`);
  return triggers[0];
};

describe("GoBinaries", () => {
  it("builds 6 mains × 3 targets, named by file, plus SHA256SUMS", () => {
    const own = monitor.ofType(CMD).filter((r) => r.name.startsWith("binaries-"));
    assert.equal(files.length, 18);
    assert.deepEqual(
      own.map((r) => r.name).sort(),
      [...files.map((f) => binaryChildren("binaries").build(f.file)), binaryChildren("binaries").sums].sort(),
    );
  });

  it("asks for every main's local packages once, from the source tree", () => {
    assert.equal(asked.length, 4, "one call per component");
    assert.deepEqual(asked[0], { source, mains: SPLAI_MAINS.map((m) => m.pkg) });
  });

  it("builds reproducibly with the version injected, from the source tree into the output directory", () => {
    for (const { main, file } of files) {
      const build = buildOf("binaries", file);
      const create = String(build.inputs.create);
      assert.ok(
        create.includes(`go build -trimpath -buildvcs=false -ldflags '-s -w -X main.version=${VERSION}' `),
        `${file}: ${create}`,
      );
      assert.ok(create.includes(`-o '${join(OUT, file)}.tmp' '${main.pkg}'`), `${file}: ${create}`);
      assert.ok(create.includes(`mv '${join(OUT, file)}.tmp' '${join(OUT, file)}'`), `${file}: ${create}`);
      assert.equal(build.inputs.dir, source);
      assert.equal(build.inputs.logging, "stderr");
    }
  });

  it("cross-compiles statically for its target", () => {
    for (const { target, file } of files)
      assert.deepEqual(buildOf("binaries", file).inputs.environment, {
        GOOS: target.goos,
        GOARCH: target.goarch,
        CGO_ENABLED: "0",
        GOFLAGS: "-mod=mod",
      });
  });

  it("has one content-hash trigger per build, different for each target of a main", () => {
    for (const m of SPLAI_MAINS) {
      const triggers = TARGETS.map((t) => triggerOf("binaries", binaryFile(m.binary, t)));
      for (const t of triggers) assert.match(t, /^[0-9a-f]{64}$/);
      assert.equal(new Set(triggers).size, TARGETS.length, m.binary);
    }
  });

  it("rebuilds a main when one of its source files changes, and no other main", () => {
    for (const { main, file } of files) {
      const changed = triggerOf("planner-edited", file) !== triggerOf("binaries", file);
      assert.equal(changed, main.binary === "splai-planner", file);
    }
  });

  it("rebuilds the mains that import a changed local package or embedded file, and only them", () => {
    for (const { main, file } of files) {
      const changed = triggerOf("auth-edited", file) !== triggerOf("planner-edited", file);
      assert.equal(changed, main.binary === "splai-api-gateway", file);
    }
  });

  it("ignores a new test file", () => {
    for (const { file } of files) assert.equal(triggerOf("test-added", file), triggerOf("auth-edited", file), file);
  });

  it("plans every binary with its plain fields and its build's checksum", async () => {
    assert.equal(binaries.builds.length, 18);
    const built = await valueOf(binaries.binaries);
    assert.deepEqual(
      built,
      files.map(({ main, target, file }) => ({
        name: file,
        binary: main.binary,
        goos: target.goos,
        goarch: target.goarch,
        path: join(OUT, file),
        sha256: fakeSha(binaryChildren("binaries").build(file)),
      })),
    );
    for (const b of binaries.builds)
      assert.equal(await valueOf(b.sha256), fakeSha(binaryChildren("binaries").build(b.name)));
  });

  it("writes SHA256SUMS sorted by file name from the recorded checksums, and verifies it on disk", async () => {
    const expected = [...files]
      .sort((a, b) => a.file.localeCompare(b.file))
      .map(({ file }) => `${fakeSha(binaryChildren("binaries").build(file))}  ${file}\n`)
      .join("");
    const sums = monitor.find(CMD, binaryChildren("binaries").sums);
    assert.deepEqual(sums.inputs.environment, { SUMS: expected });
    assert.deepEqual(sums.inputs.triggers, [expected]);
    assert.match(String(sums.inputs.create), new RegExp(`cd '${OUT}'; .*sha256sum --check --quiet SHA256SUMS`));
    assert.equal(await valueOf(binaries.checksums), expected);
    assert.equal(binaries.checksumsPath, join(OUT, "SHA256SUMS"));
    assert.equal(binaries.outDir, OUT);
  });

  it("per target, builds the main with the most packages first and every other main after it (one cold compile each)", async () => {
    // The gateway imports internal/auth as well: it has the most packages, so it primes each target's build cache.
    for (const t of TARGETS) {
      const primer = buildOf("binaries", binaryFile("splai-api-gateway", t));
      assert.deepEqual(monitor.optionsOf(primer).dependsOn ?? [], [], `${primer.name} waits for nothing`);
      for (const m of SPLAI_MAINS.filter((x) => x.binary !== "splai-api-gateway")) {
        const build = buildOf("binaries", binaryFile(m.binary, t));
        const deps = monitor.optionsOf(build).dependsOn as pulumi.Resource[];
        assert.equal(deps.length, 1, build.name);
        assert.ok((await valueOf(deps[0].urn)).endsWith(`::${primer.name}`), `${build.name} waits for ${primer.name}`);
      }
    }
  });

  it("is the parent of every command it creates", () => {
    const own = monitor.ofType(CMD).filter((r) => r.name.startsWith("binaries-"));
    assert.equal(own.length, 19);
    for (const r of own) assert.equal(monitor.optionsOf(r).parent, binaries, r.name);
  });
});
