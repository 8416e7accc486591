// The asset and publish calls of the GitHub client against the emulator: uploads checked and never replaced once
// published, and publishing that never turns a release back into a draft.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startGitHubEmulator, type GitHubEmulator } from "../../tools/platform/github-emulator/server";
import { apiBase, GitHubClient } from "./api";

let emu: GitHubEmulator;
let client: GitHubClient;
const dir = mkdtempSync(join(tmpdir(), "gh-api-"));
const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const requests = async (): Promise<{ method: string; path: string; status: number }[]> =>
  (await (await fetch(new URL("_emulator/requests", emu.url))).json()) as {
    method: string;
    path: string;
    status: number;
  }[];
const clearLog = async (): Promise<void> => {
  await fetch(new URL("_emulator/requests", emu.url), { method: "DELETE" });
};
const draft = async (tag: string): Promise<number> =>
  (await client.json<{ id: number }>("POST", "repos/splai/splai/releases", { tag_name: tag, draft: true, body: "old" }))
    .id;

describe("GitHub client: assets and publishing", () => {
  before(async () => {
    emu = await startGitHubEmulator({
      port: 0,
      stateDir: mkdtempSync(join(tmpdir(), "gh-api-state-")),
      tokens: [{ value: "t" }],
      repos: ["splai/splai"],
      immutableReleases: true,
    });
    client = new GitHubClient(apiBase(emu.url), "t");
  });
  after(() => emu.close());

  it("publishes a draft with its notes once, then edits notes without sending draft again", async () => {
    const id = await draft("v1.0.0");
    const want = { name: "SPLAI 1.0.0", body: "notes 1", prerelease: false };
    const first = await client.publishRelease("splai", "splai", id, want);
    assert.equal(first.draft, false);
    await clearLog();
    assert.equal((await client.publishRelease("splai", "splai", id, want)).draft, false);
    assert.deepEqual(
      (await requests()).map((r) => r.method),
      ["GET"],
      "nothing to change: nothing sent",
    );
    await clearLog();
    const edited = await client.publishRelease("splai", "splai", id, { ...want, body: "notes 2" });
    assert.equal(edited.draft, false, "an edit keeps it published");
    const rel = await client.json<{ body: string; draft: boolean; immutable: boolean }>(
      "GET",
      `repos/splai/splai/releases/${id}`,
    );
    assert.deepEqual([rel.body, rel.draft, rel.immutable], ["notes 2", false, true]);
  });

  it("uploads a draft's assets once, checks them by digest, and refuses other bytes once published", async () => {
    const id = await draft("v1.1.0");
    const files = [file("a.txt", "a"), file("b.txt", "b")];
    const first = await client.syncAssets("splai", "splai", id, files, () => undefined);
    assert.deepEqual(
      first.map((a) => a.name),
      ["a.txt", "b.txt"],
    );
    await clearLog();
    await client.syncAssets("splai", "splai", id, files, () => undefined);
    assert.equal((await requests()).filter((r) => r.method === "POST").length, 0, "same bytes: nothing uploaded");
    await client.publishRelease("splai", "splai", id, { name: "v1.1.0", body: "", prerelease: false });
    await assert.rejects(
      client.syncAssets("splai", "splai", id, [file("a.txt", "changed"), files[1]], () => undefined),
      /release v1\.1\.0 is published and its assets are never replaced, but this build has other bytes for: a\.txt/,
    );
  });

  it("replaces a branch build's prerelease assets when the tree changed, and checks the new bytes", async () => {
    await fetch(new URL("_emulator/repos/splai/splai", emu.url), {
      method: "PATCH",
      body: JSON.stringify({ immutable_releases: false }),
      headers: { "content-type": "application/json" },
    });
    const id = await draft("v0.0.0-main-1234567");
    await client.syncAssets("splai", "splai", id, [file("c.txt", "c")], () => undefined);
    await client.publishRelease("splai", "splai", id, { name: "main", body: "", prerelease: true });
    const log: string[] = [];
    const [asset] = await client.syncAssets("splai", "splai", id, [file("c.txt", "c2")], (m) => log.push(m));
    assert.equal(asset.sha256, createHash("sha256").update("c2").digest("hex"));
    assert.deepEqual(log, ["replacing c.txt on the prerelease (content changed)", "uploading c.txt (2 bytes)"]);
  });
});
