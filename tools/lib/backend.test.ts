// File backends: the URL without metadata sidecars, and the repair of sidecars a killed CLI left truncated.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { fileBackendUrl, repairSidecars } from "./backend";

describe("file backends", () => {
  const root = mkdtempSync(join(tmpdir(), "splai-backend-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("are opened without gocloud's metadata sidecars, at the same directory", () => {
    const url = fileBackendUrl("/var/state/pulumi");
    assert.equal(url, "file:///var/state/pulumi?metadata=skip");
    assert.equal(fileURLToPath(url), "/var/state/pulumi", "recover and the lock lookup still find the directory");
  });

  it("lose only the sidecars that are empty or not JSON, the way a killed CLI leaves them", () => {
    const stacks = join(root, ".pulumi", "stacks", "splai-release");
    mkdirSync(stacks, { recursive: true });
    writeFileSync(join(stacks, "dev.json"), "{}");
    writeFileSync(join(stacks, "dev.json.attrs"), "");
    writeFileSync(join(stacks, "dev.json.bak.attrs"), '{"user.content_type":"application/octet-stream","md5":null}\n');
    writeFileSync(join(stacks, "prod.json.attrs"), '{"user.content_ty');
    writeFileSync(join(root, ".pulumi", "meta.yaml.attrs"), "null");
    assert.deepEqual(repairSidecars(root), [
      ".pulumi/meta.yaml.attrs",
      ".pulumi/stacks/splai-release/dev.json.attrs",
      ".pulumi/stacks/splai-release/prod.json.attrs",
    ]);
    assert.ok(existsSync(join(stacks, "dev.json")), "checkpoints are never touched");
    assert.ok(existsSync(join(stacks, "dev.json.bak.attrs")), "a valid sidecar stays");
    assert.deepEqual(repairSidecars(root), [], "a second pass finds nothing");
  });
});
