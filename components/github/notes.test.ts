// Release notes and helm commands: the changelog, every image by digest, exact install/upgrade commands, checksums.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderChangelog } from "./changelog";
import { helmCommand, installCommands, releaseNotes, type NotesInput } from "./notes";
import { mergeValues, movingTagProblem, releaseValues } from "../deploy/values";

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const FIX = "89abcdef0123456789abcdef0123456789abcdef";
const input: NotesInput = {
  version: "0.2.0",
  mode: "tag",
  sha: "0123456789abcdef0123456789abcdef01234567",
  images: ["api-gateway", "scheduler", "planner", "operator", "worker-agent"].map((n, i) => ({
    name: `splai-${n}`,
    repository: `ghcr.io/acme/splai-${n}`,
    tags: ["0.2.0"],
    digest: d(String(i)),
  })),
  chart: { ref: "oci://ghcr.io/acme/charts/splai", version: "0.2.0", digest: d("c"), alias: "latest" },
  namespace: "splai-system",
  valuesKeys: { "api-gateway": "apiGateway", scheduler: "scheduler", planner: "planner", "worker-agent": "worker" },
  changelog: renderChangelog(
    {
      previousTag: "v0.1.0",
      commits: [
        {
          sha: FIX,
          shortSha: "89abcde",
          parents: 1,
          author: "Alice Archer",
          subject: "fix: retry a lost lease",
          body: "",
        },
      ],
    },
    {
      style: "grouped",
      version: "0.2.0",
      commit: "0123456789abcdef0123456789abcdef01234567",
      breakingChanges: ["The planner API moved to /v2."],
      repositoryUrl: "https://github.com/acme/splai",
    },
  ),
  checksums: `${"a".repeat(64)}  splaictl-linux-amd64\n${"b".repeat(64)}  SHA256SUMS-not-really\n`,
};

describe("release notes", () => {
  const notes = releaseNotes(input);
  it("names every image by digest", () => {
    for (const i of input.images) assert.ok(notes.includes(`${i.repository}@${i.digest}`), i.name);
  });
  it("contains the exact install and upgrade commands", () => {
    assert.ok(notes.includes(helmCommand("install", input)));
    assert.ok(notes.includes(helmCommand("upgrade", input)));
    assert.match(
      helmCommand("install", input),
      /^helm install splai oci:\/\/ghcr.io\/acme\/charts\/splai \\\n {2}--version 0.2.0 \\\n {2}--namespace splai-system \\\n {2}--create-namespace/,
    );
    assert.ok(helmCommand("upgrade", input).includes(`--set apiGateway.image.tag=0.2.0@${d("0")}`));
    assert.ok(!helmCommand("upgrade", input).includes("--create-namespace"));
  });
  it("puts the changelog, with the configured breaking changes first, after the release's commit", () => {
    const at = (text: string): number => {
      assert.ok(notes.includes(text), text);
      return notes.indexOf(text);
    };
    const order = [
      at("Release of commit `0123456789abcdef0123456789abcdef01234567`."),
      at("## Changelog\n\nChanges since `v0.1.0`"),
      at("### Breaking changes\n\n- The planner API moved to /v2.\n\n### Fixes"),
      at(`- retry a lost lease ([89abcde](https://github.com/acme/splai/commit/${FIX}))`),
      at("### Authors\n\nAlice Archer (1)"),
      at("### Container images"),
    ];
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
    assert.equal(notes.match(/### Breaking changes/g)?.length, 1, "no standalone breaking-changes section beside it");
  });
  it("leaves the changelog out when it is empty (changelog off, nothing configured)", () => {
    const bare = releaseNotes({ ...input, changelog: "" });
    assert.doesNotMatch(bare, /Changelog|Breaking changes|None\./);
    assert.match(bare, /Release of commit `0123456789abcdef0123456789abcdef01234567`\.\n\n### Container images/);
  });
  it("has a checksum table", () => {
    assert.ok(notes.includes(`| \`splaictl-linux-amd64\` | \`${"a".repeat(64)}\` |`));
  });
  it("says where a promoted release was built and which version its binaries report", () => {
    assert.ok(!notes.includes("Promoted from"));
    const promoted = releaseNotes({
      ...input,
      promotedFrom: { stack: "organization/splai-release/dev", version: "0.0.0-main-0123456", sha: input.sha },
    });
    assert.match(
      promoted,
      /Promoted from `organization\/splai-release\/dev` build `0\.0\.0-main-0123456` \(commit `0123456789abcdef/,
    );
    assert.match(promoted, /The binaries report version `0\.0\.0-main-0123456`/);
  });
});

describe("install commands in the notes", () => {
  const sums = (...files: string[]): string => files.map((f) => `${"c".repeat(64)}  ${f}`).join("\n");
  it("names each kind of download the release has, with its file, and how to check it", () => {
    const lines = installCommands({
      checksums: sums(
        "splai_1.2.3_linux_amd64.tar.gz",
        "splaictl_1.2.3_amd64.deb",
        "splaictl-1.2.3.x86_64.rpm",
        "splaictl_1.2.3_x86_64.apk",
        "splai-worker_1.2.3_amd64.deb",
        "splaictl-linux-amd64",
      ),
      tap: "splai/homebrew-tap",
    });
    assert.deepEqual(
      lines.map((l) => l.split("   #")[0]),
      [
        "brew install splai/tap/splaictl",
        "sudo apt install ./splaictl_1.2.3_amd64.deb",
        "sudo dnf install ./splaictl-1.2.3.x86_64.rpm",
        "sudo apk add --allow-untrusted ./splaictl_1.2.3_x86_64.apk",
        "sudo apt install ./splai-worker_1.2.3_amd64.deb && sudo systemctl enable --now splai-worker",
        "tar -xzf splai_1.2.3_linux_amd64.tar.gz",
        "sha256sum --check --ignore-missing SHA256SUMS",
      ],
    );
  });
  it("taps a repository not named homebrew-* by its URL, and offers nothing when there is nothing", () => {
    assert.match(
      installCommands({ checksums: "", tap: "acme/formulae" })[0],
      /^brew tap acme\/formulae https:\/\/github\.com\/acme\/formulae && brew install acme\/formulae\/splaictl/,
    );
    assert.deepEqual(installCommands({ checksums: sums("splaictl-linux-amd64") }), []);
  });
});

describe("helm values", () => {
  const images = {
    "api-gateway": { repository: "r/gw", pinnedTag: `sha-1@${d("1")}` },
    "worker-agent": { repository: "r/wk", pinnedTag: `sha-1@${d("2")}` },
  };
  it("pins each image by digest under its chart key", () => {
    const v = releaseValues(images, { "api-gateway": "apiGateway", "worker-agent": "worker" }, {});
    assert.deepEqual(v.apiGateway, {
      image: { repository: "r/gw", tag: `sha-1@${d("1")}`, pullPolicy: "IfNotPresent" },
    });
    assert.equal((v.worker as { image: { tag: string } }).image.tag, `sha-1@${d("2")}`);
  });
  it("merges extras without letting them replace pinned images", () => {
    const v = releaseValues(
      images,
      { "api-gateway": "apiGateway" },
      { apiGateway: { replicaCount: 3, image: { tag: "latest" } }, redis: { enabled: false } },
    );
    assert.deepEqual(v.apiGateway, {
      replicaCount: 3,
      image: { repository: "r/gw", tag: `sha-1@${d("1")}`, pullPolicy: "IfNotPresent" },
    });
    assert.deepEqual(v.redis, { enabled: false });
  });
  it("fails when an image is missing", () => {
    assert.throws(() => releaseValues({}, { planner: "planner" }, {}), /no published image 'planner'/);
  });
  it("tag releases refuse moving or unpinned tags", () => {
    assert.equal(movingTagProblem("apiGateway", `0.2.0@${d("1")}`), undefined);
    assert.match(
      movingTagProblem("apiGateway", `latest@${d("1")}`) ?? "",
      /apiGateway.image.tag 'latest@sha256:1+' uses the moving tag 'latest'/,
    );
    assert.match(movingTagProblem("planner", "0.2.0") ?? "", /planner.image.tag '0.2.0' is not pinned by digest/);
    const latest = { "api-gateway": { repository: "r/gw", pinnedTag: `latest@${d("1")}` } };
    assert.throws(
      () => releaseValues(latest, { "api-gateway": "apiGateway" }, {}, { forbidMovingTags: true }),
      /moving tag 'latest'/,
    );
    assert.doesNotThrow(
      () => releaseValues(latest, { "api-gateway": "apiGateway" }, {}),
      "branch builds may pin latest@digest",
    );
  });
  it("replaces arrays like Helm", () => {
    assert.deepEqual(mergeValues({ a: [1, 2], b: { c: 1 } }, { a: [3] }), { a: [3], b: { c: 1 } });
  });
});

describe("release notes: how to verify signatures", () => {
  const PUB = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
  it("says nothing about signatures when the release is not signed", () => {
    assert.ok(!releaseNotes(input).includes("Verify signatures"));
  });

  it("key mode: prints the public key and one exact command per image, the chart and SHA256SUMS", () => {
    const notes = releaseNotes({
      ...input,
      signing: { mode: "key", publicKey: PUB, tlog: true, bundle: "SHA256SUMS.cosign.bundle" },
    });
    assert.ok(notes.includes(`\`\`\`text\n${PUB.trim()}\n\`\`\``));
    assert.ok(notes.includes(`cosign verify --key cosign.pub ghcr.io/acme/splai-planner@${d("2")}`));
    assert.ok(notes.includes(`cosign verify --key cosign.pub ghcr.io/acme/charts/splai@${d("c")}`));
    assert.ok(notes.includes("cosign verify-blob --key cosign.pub --bundle SHA256SUMS.cosign.bundle SHA256SUMS"));
    assert.ok(!notes.includes("insecure-ignore-tlog"), "signatures in Rekor are verified against it");
    const local = releaseNotes({
      ...input,
      signing: { mode: "key", publicKey: PUB, tlog: false, bundle: "SHA256SUMS.cosign.bundle" },
    });
    assert.ok(local.includes(`cosign verify --key cosign.pub --insecure-ignore-tlog=true ghcr.io/acme/splai-planner@`));
  });

  it("keyless: the workflow identity and GitHub's issuer instead of a key", () => {
    const notes = releaseNotes({
      ...input,
      signing: {
        mode: "keyless",
        tlog: true,
        identity: "^https://github\\.com/acme/splai/\\.github/workflows/",
        issuer: "https://token.actions.githubusercontent.com",
        bundle: "SHA256SUMS.cosign.bundle",
      },
    });
    const flags =
      "--certificate-identity-regexp '^https://github\\.com/acme/splai/\\.github/workflows/' --certificate-oidc-issuer https://token.actions.githubusercontent.com";
    assert.ok(notes.includes(`cosign verify ${flags} ghcr.io/acme/splai-operator@${d("3")}`));
    assert.ok(notes.includes(`cosign verify-blob ${flags} --bundle SHA256SUMS.cosign.bundle SHA256SUMS`));
    assert.ok(!notes.includes("cosign.pub"));
  });
});
