import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  COMMAND_TYPE,
  migrateStandIns,
  RELEASE_TYPE,
  retype,
  SECRET_SIG,
  secretOf,
  STAND_IN_TYPE,
  type Deployment,
  type StateResource,
} from "./standins";

const P = "urn:pulumi:local::splai-release::";
const dynProvider = `${P}pulumi:providers:pulumi-nodejs::default`;
const comp = `${P}splai:release:GitHubRelease::github`;
const buildUrn = `${P}splai:release:GoBinaries$${STAND_IN_TYPE}::binaries-build`;
const releaseUrn = `${P}splai:release:GitHubRelease$${STAND_IN_TYPE}::github-release`;
const assetsUrn = `${P}splai:release:GitHubRelease$${STAND_IN_TYPE}::github-assets`;

function fixture(): Deployment {
  const env = {
    GITHUB_BASE_URL: "http://127.0.0.1:18080/",
    GITHUB_TOKEN: "ghp_secret",
    GITHUB_OWNER: "splai",
    GITHUB_REPO: "splai",
    RELEASE_TAG: "v0.2.0",
    RELEASE_COMMIT: "abc",
    RELEASE_NAME: "SPLAI v0.2.0",
    RELEASE_BODY: "notes",
    RELEASE_PRERELEASE: "false",
  };
  const resources: StateResource[] = [
    { urn: dynProvider, custom: true, id: "p1", type: "pulumi:providers:pulumi-nodejs" },
    { urn: comp, custom: false, type: "splai:release:GitHubRelease" },
    {
      urn: buildUrn,
      custom: true,
      id: "cmd-1",
      type: STAND_IN_TYPE,
      provider: `${dynProvider}::p1`,
      inputs: { __provider: "serialized", create: "go build", dir: "/src", triggers: ["h1"] },
      outputs: {
        __provider: "serialized",
        create: "go build",
        dir: "/src",
        triggers: ["h1"],
        stdout: "ok",
        stderr: "",
      },
    },
    {
      urn: releaseUrn,
      custom: true,
      id: "cmd-2",
      type: STAND_IN_TYPE,
      parent: comp,
      provider: `${dynProvider}::p1`,
      inputs: { __provider: "s", create: "upsert", environment: secretOf(env) },
      outputs: { stdout: 'log line\n{"id":42,"url":"http://x/releases/tag/v0.2.0"}' },
      dependencies: [buildUrn],
    },
    {
      urn: assetsUrn,
      custom: true,
      id: "cmd-3",
      type: STAND_IN_TYPE,
      parent: comp,
      provider: `${dynProvider}::p1`,
      inputs: { create: "upload", environment: secretOf({ RELEASE_ID: "42", GITHUB_TOKEN: "ghp_secret" }) },
      outputs: { stdout: "[]" },
      dependencies: [releaseUrn, buildUrn],
      propertyDependencies: { environment: [releaseUrn] },
    },
  ];
  return { manifest: {}, resources };
}

const byType = (d: Deployment, t: string): StateResource[] => (d.resources ?? []).filter((r) => r.type === t);

describe("migrateStandIns", () => {
  it("retypes only the last element of a URN's type chain", () => {
    assert.equal(retype(buildUrn, COMMAND_TYPE), `${P}splai:release:GoBinaries$${COMMAND_TYPE}::binaries-build`);
  });

  it("turns each stand-in command into command:local:Command on the default command provider, same inputs", () => {
    const { deployment, report } = migrateStandIns(fixture(), { command: "1.2.1", github: "6.15.0" });
    assert.equal(byType(deployment, STAND_IN_TYPE).length, 0);
    const cmds = byType(deployment, COMMAND_TYPE);
    assert.deepEqual(cmds.map((c) => c.urn.split("::").pop()).sort(), ["binaries-build", "github-assets"]);
    assert.deepEqual(report.commands.length, 2);
    const build = cmds.find((c) => c.urn.endsWith("binaries-build"))!;
    assert.deepEqual(build.inputs, {
      addPreviousOutputInEnv: true,
      logging: "stderr",
      create: "go build",
      dir: "/src",
      triggers: ["h1"],
    });
    assert.equal(build.outputs?.stdout, "ok");
    assert.equal(build.outputs?.__provider, undefined);
    const prov = byType(deployment, "pulumi:providers:command");
    assert.equal(prov.length, 1);
    assert.equal(prov[0].urn, `${P}pulumi:providers:command::default_1_2_1`);
    assert.equal(build.provider, `${prov[0].urn}::${prov[0].id}`);
    // A provider comes before the first resource it manages; the unused dynamic provider is gone.
    const order = deployment.resources!.map((r) => r.urn);
    assert.ok(order.indexOf(prov[0].urn) < order.indexOf(build.urn));
    assert.equal(byType(deployment, "pulumi:providers:pulumi-nodejs").length, 0);
  });

  it("turns the REST release into github.Release with its own provider, id from the step's output, token secret", () => {
    const { deployment, report } = migrateStandIns(fixture(), { command: "1.2.1", github: "6.15.0" });
    const [rel] = byType(deployment, RELEASE_TYPE);
    assert.equal(rel.urn, `${P}splai:release:GitHubRelease$${RELEASE_TYPE}::github-release`);
    assert.equal(rel.id, "42");
    assert.equal(rel.parent, comp);
    assert.deepEqual(rel.inputs, {
      repository: "splai",
      tagName: "v0.2.0",
      targetCommitish: "abc",
      name: "SPLAI v0.2.0",
      body: "notes",
      draft: false,
      prerelease: false,
    });
    const [gh] = byType(deployment, "pulumi:providers:github");
    assert.equal(gh.urn, `${P}splai:release:GitHubRelease$pulumi:providers:github::github-github`);
    assert.equal(gh.parent, comp);
    assert.equal(rel.provider, `${gh.urn}::${gh.id}`);
    assert.equal(gh.inputs?.baseUrl, "http://127.0.0.1:18080/");
    assert.deepEqual(gh.inputs?.token, secretOf("ghp_secret"));
    assert.ok(SECRET_SIG in (gh.inputs?.token as object));
    assert.deepEqual(report.releases, [{ urn: rel.urn, id: "42", provider: gh.urn }]);
  });

  it("makes every reference follow the moved resources", () => {
    const { deployment } = migrateStandIns(fixture(), { command: "1.2.1", github: "6.15.0" });
    const assets = deployment.resources!.find((r) => r.urn.endsWith("github-assets"))!;
    const rel = byType(deployment, RELEASE_TYPE)[0];
    const build = deployment.resources!.find((r) => r.urn.endsWith("binaries-build"))!;
    assert.deepEqual(assets.dependencies, [rel.urn, build.urn]);
    assert.deepEqual(assets.propertyDependencies, { environment: [rel.urn] });
    assert.ok(SECRET_SIG in (assets.inputs?.environment as Record<string, unknown>), "the environment stays secret");
    const all = JSON.stringify(deployment);
    assert.ok(!all.includes(STAND_IN_TYPE), "no reference to a stand-in is left");
  });

  it("leaves a state without stand-ins as it was, and the input untouched", () => {
    const d = fixture();
    const before = JSON.stringify(d);
    migrateStandIns(d, { command: "1.2.1", github: "6.15.0" });
    assert.equal(JSON.stringify(d), before);
    const none: Deployment = { manifest: {}, resources: [{ urn: comp, custom: false, type: "x" }] };
    assert.deepEqual(migrateStandIns(none, { command: "1.2.1", github: "6.15.0" }).report, {
      commands: [],
      releases: [],
    });
  });

  it("refuses an interrupted state and an export without --show-secrets, saying what to run", () => {
    assert.throws(
      () => migrateStandIns({ ...fixture(), pending_operations: [{}] }, { command: "1.2.1", github: "6.15.0" }),
      /1 pending operation.*npm run recover/,
    );
    const enc = fixture();
    enc.resources![3].inputs!.environment = { [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", ciphertext: "x" };
    assert.throws(() => migrateStandIns(enc, { command: "1.2.1", github: "6.15.0" }), /--show-secrets/);
  });
});
