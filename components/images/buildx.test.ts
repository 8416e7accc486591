// The buildx builder file builderEndpoints turns into: one remote builder, a node per endpoint pinned to its daemon's platform.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { builderEndpoint, ensureRemoteBuilder, parseDaemonPlatform, remoteBuilderInstance } from "./buildx";

const AMD64 = "unix:///state/buildkitd-amd64.sock";
const ARM64 = "tcp://arm64.build.example:1234";

describe("remote buildx builder", () => {
  const dir = mkdtempSync(join(tmpdir(), "splai-buildx-"));
  const env = { BUILDX_CONFIG: dir };
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes one remote builder with two nodes, each pinned to its daemon's platform, no config files", () => {
    const platforms: Record<string, { os: string; architecture: string }> = {
      [AMD64]: { os: "linux", architecture: "amd64" },
      [ARM64]: { os: "linux", architecture: "arm64" },
    };
    assert.equal(
      ensureRemoteBuilder("splai-dev", [AMD64, ARM64], env, (e) => platforms[e]),
      "splai-dev",
    );
    const file = join(dir, "instances", "splai-dev");
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), {
      Name: "splai-dev",
      Driver: "remote",
      Nodes: [
        {
          Name: "splai-dev0",
          Endpoint: AMD64,
          Platforms: [{ os: "linux", architecture: "amd64" }],
          DriverOpts: {},
          Flags: null,
          // buildx refuses config files on a remote node: registry settings live in each daemon's buildkitd.toml.
          Files: null,
        },
        {
          Name: "splai-dev1",
          Endpoint: ARM64,
          Platforms: [{ os: "linux", architecture: "arm64" }],
          DriverOpts: {},
          Flags: null,
          Files: null,
        },
      ],
      Dynamic: false,
    });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(builderEndpoint("splai-dev", env), AMD64, "attestations use the first node");
  });

  it("leaves a node whose daemon does not answer to buildx (Platforms null)", () => {
    const b = remoteBuilderInstance("splai-x", [AMD64, ARM64], [{ os: "linux", architecture: "amd64" }, undefined]);
    assert.deepEqual(
      b.Nodes.map((n) => n.Platforms),
      [[{ os: "linux", architecture: "amd64" }], null],
    );
  });

  it("rewrites the file only when it changes", () => {
    const file = join(dir, "instances", "splai-dev");
    const before = statSync(file).mtimeMs;
    const same: Record<string, { os: string; architecture: string }> = {
      [AMD64]: { os: "linux", architecture: "amd64" },
      [ARM64]: { os: "linux", architecture: "arm64" },
    };
    ensureRemoteBuilder("splai-dev", [AMD64, ARM64], env, (e) => same[e]);
    assert.equal(statSync(file).mtimeMs, before);
  });
});

describe("a BuildKit daemon's default platform (buildctl debug workers --format '{{json .}}')", () => {
  it("is the first platform of the first worker: the configured one, before what the host can also run", () => {
    // As buildkitd 0.34.2 with `[worker.oci] platforms = ["linux/arm64"]` on an amd64 host answers.
    const out = JSON.stringify([
      {
        id: "a9u1f4zqyasdpnnr04elfq26p",
        platforms: [
          { architecture: "arm64", os: "linux" },
          { architecture: "amd64", os: "linux" },
          { architecture: "amd64", os: "linux", variant: "v2" },
          { architecture: "386", os: "linux" },
        ],
      },
    ]);
    assert.deepEqual(parseDaemonPlatform(out), { os: "linux", architecture: "arm64" });
    assert.deepEqual(
      parseDaemonPlatform(JSON.stringify([{ platforms: [{ os: "linux", architecture: "arm", variant: "v7" }] }])),
      {
        os: "linux",
        architecture: "arm",
        variant: "v7",
      },
    );
  });

  it("is unknown for no workers or unreadable output", () => {
    assert.equal(parseDaemonPlatform("[]"), undefined);
    assert.equal(parseDaemonPlatform("not json"), undefined);
    assert.equal(parseDaemonPlatform(JSON.stringify([{ platforms: [{ os: "linux" }] }])), undefined);
  });
});
