// ReleasePackages under mocks, and the pure parts it packs: the worker's systemd unit and the Homebrew formula.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { unsecret, valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import { archiveName, PACKAGE_RELEASE, packageChildren, type PackagedRelease } from "./contract";
import { splaictlFormula } from "./formula";
import { ReleasePackages } from "./ReleasePackages";
import { linuxPackages, workerUnit } from "./units";

const CMD = "command:local:Command";
const BINARIES = ["linux/amd64", "darwin/arm64"].flatMap((t) => {
  const [goos, goarch] = t.split("/");
  return ["splaictl", "splai-worker"].map((binary) => ({
    name: `${binary}-${goos}-${goarch}`,
    binary,
    goos,
    goarch,
    path: `/dist/${binary}-${goos}-${goarch}`,
    sha256: "a".repeat(64),
  }));
});
const RECORD: PackagedRelease = {
  archives: [
    {
      name: archiveName("1.2.3", "linux", "amd64"),
      path: "/dist/x",
      sha256: "b".repeat(64),
      kind: "archive",
      goos: "linux",
      goarch: "amd64",
    },
  ],
  packages: [
    {
      name: "splaictl_1.2.3_amd64.deb",
      path: "/dist/y",
      sha256: "c".repeat(64),
      kind: "deb",
      goos: "linux",
      goarch: "amd64",
    },
  ],
  checksums: "sums\n",
};

let monitor: MockMonitor;
let pkgs: ReleasePackages;
let source: string;

before(async () => {
  source = mkdtempSync(join(tmpdir(), "pkg-src-"));
  writeFileSync(join(source, "README.md"), "# SPLAI\n");
  ({ monitor, value: pkgs } = await withMocks(
    ({ type }) => (type === CMD ? { stdout: `archived\n${JSON.stringify(RECORD)}` } : undefined),
    () =>
      new ReleasePackages("packages", {
        binaries: pulumi.output(BINARIES),
        version: "1.2.3",
        sourceDateEpoch: 1_700_000_000,
        outDir: "/dist",
        source,
        packages: linuxPackages({ SPLAI_CONTROL_PLANE_URL: "http://gw:8080" }),
        meta: {
          maintainer: "SPLAI <s@example.invalid>",
          license: "Apache-2.0",
          vendor: "splai",
          homepage: "https://h",
        },
      }),
  ));
  await valueOf(pkgs.files);
});

describe("ReleasePackages", () => {
  it("runs the package-release step with the binaries, version, epoch, formats and packages", () => {
    const build = monitor.find(CMD, packageChildren("packages").build);
    assert.equal(build.inputs.create, `node --use-openssl-ca step.js ${PACKAGE_RELEASE.name}`);
    const env = unsecret<Record<string, string>>(build.inputs.environment);
    assert.deepEqual(Object.keys(env).sort(), Object.keys(PACKAGE_RELEASE.env).sort());
    assert.equal(env.VERSION, "1.2.3");
    assert.equal(env.SOURCE_DATE_EPOCH, "1700000000");
    assert.deepEqual(JSON.parse(env.FORMATS), ["deb", "rpm", "apk"], "all three formats by default");
    assert.deepEqual(JSON.parse(env.BINARIES), BINARIES);
    assert.deepEqual(
      (JSON.parse(env.PACKAGES) as { name: string }[]).map((p) => p.name),
      ["splaictl", "splai-worker"],
    );
  });

  it("packs again when a binary, the version, the epoch or the docs change", () => {
    const triggers = monitor.find(CMD, "packages-build").inputs.triggers as unknown[];
    assert.equal(
      triggers[0],
      BINARIES.map((b) => `${b.sha256}  ${b.name}`)
        .sort()
        .join("\n"),
    );
    assert.deepEqual(triggers.slice(1, 3), ["1.2.3", 1_700_000_000]);
    assert.match(String(triggers[4]), /^[0-9a-f]{64}$/);
  });

  it("exposes the archives and packages, and SHA256SUMS over everything", async () => {
    assert.deepEqual(await valueOf(pkgs.files), [...RECORD.archives, ...RECORD.packages]);
    assert.equal(await valueOf(pkgs.checksums), "sums\n");
    assert.equal(pkgs.checksumsPath, "/dist/SHA256SUMS");
  });
});

describe("the worker's systemd unit", () => {
  it("runs the packaged binary after the network, restarts it, and carries the configured environment", () => {
    const unit = workerUnit({ B: "2", A: "1" });
    assert.match(unit, /^\[Unit\]\nDescription=SPLAI worker agent\n/);
    assert.match(unit, /ExecStart=\/usr\/bin\/splai-worker\nEnvironment="A=1"\nEnvironment="B=2"\n/);
    assert.match(unit, /Restart=on-failure/);
    assert.match(unit, /\[Install\]\nWantedBy=multi-user.target\n$/);
  });
});

describe("the Homebrew formula", () => {
  const archives = [
    { goos: "darwin", goarch: "arm64", url: "https://dl/splai_1.2.3_darwin_arm64.tar.gz", sha256: "1".repeat(64) },
    { goos: "linux", goarch: "amd64", url: "https://dl/splai_1.2.3_linux_amd64.tar.gz", sha256: "2".repeat(64) },
    { goos: "linux", goarch: "arm64", url: "https://dl/splai_1.2.3_linux_arm64.tar.gz", sha256: "3".repeat(64) },
  ];
  const input = {
    version: "1.2.3",
    homepage: "https://github.com/splai/splai",
    license: "Apache-2.0",
    description: "d",
    archives,
  };

  it("names each platform's archive by URL and sha256 inside its on_macos/on_linux block", () => {
    const f = splaictlFormula(input);
    assert.match(f, /class Splaictl < Formula\n/);
    assert.match(f, /version "1\.2\.3"\n {2}license "Apache-2\.0"/);
    assert.match(
      f,
      /on_macos do\n {4}on_arm do\n {6}url "https:\/\/dl\/splai_1\.2\.3_darwin_arm64\.tar\.gz"\n {6}sha256 "1{64}"/,
    );
    assert.match(
      f,
      /on_linux do\n {4}on_intel do\n {6}url "[^"]*linux_amd64[^"]*"\n {6}sha256 "2{64}"\n {4}end\n {4}on_arm do\n {6}url "[^"]*linux_arm64/,
    );
    assert.match(f, /bin\.install "splaictl"/);
  });

  it("leaves out a platform without an archive, and refuses a release with none of them", () => {
    assert.doesNotMatch(splaictlFormula({ ...input, archives: archives.slice(1) }), /on_macos/);
    assert.throws(() => splaictlFormula({ ...input, archives: [] }), /nothing for Homebrew to install/);
  });
});
