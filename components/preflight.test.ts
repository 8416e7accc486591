// The GitHub token check, against the emulator: a token that can write passes; a bad, read-only or blind one is
// refused with the status, the repository, what it was needed for and what to change.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startGitHubEmulator, type GitHubEmulator } from "../tools/platform/github-emulator/server";
import { apiBase, GitHubClient } from "./github/api";
import { repositoryAccessProblem } from "./preflight";

let emu: GitHubEmulator;
const client = (token: string): GitHubClient => new GitHubClient(apiBase(emu.url), token);

describe("pre-flight GitHub access", () => {
  before(async () => {
    emu = await startGitHubEmulator({
      port: 0,
      stateDir: mkdtempSync(join(tmpdir(), "preflight-gh-")),
      tokens: [{ value: "writer" }, { value: "reader", readOnly: true }],
      repos: ["splai/splai"],
    });
  });
  after(() => emu.close());

  it("passes a token that can write to the repository", async () => {
    assert.equal(await repositoryAccessProblem(client("writer"), "splai/splai", "the GitHub release"), undefined);
  });

  it("refuses an invalid token, naming the status, the repository and the config key", async () => {
    const problem = await repositoryAccessProblem(client("wrong"), "splai/splai", "the GitHub release");
    assert.match(problem ?? "", /repos\/splai\/splai: HTTP 401 .*check splai-release:githubToken \/ GITHUB_TOKEN/);
    assert.match(problem ?? "", /needed for the GitHub release/);
  });

  it("refuses a token that can only read, saying it needs contents:write", async () => {
    const problem = await repositoryAccessProblem(client("reader"), "splai/splai", "the GitHub release");
    assert.match(problem ?? "", /splai\/splai \(the GitHub release\): the token can read it but not write/);
    assert.match(problem ?? "", /contents:write/);
  });

  it("refuses a repository the token cannot see", async () => {
    const problem = await repositoryAccessProblem(client("writer"), "splai/homebrew-tap", "the Homebrew formula");
    assert.match(problem ?? "", /HTTP 404 .*unknown repository .* needed for the Homebrew formula/);
  });

  it("names the base URL when GitHub cannot be reached", async () => {
    const closed = new GitHubClient("http://127.0.0.1:9/api/v3/", "writer");
    const problem = await repositoryAccessProblem(closed, "splai/splai", "the GitHub release");
    assert.match(problem ?? "", /cannot reach GitHub for splai\/splai .*githubBaseUrl/);
  });
});
