// The rollback guard's decision: upgrades and re-deploys pass, an older version needs allowRollback, and the message says how.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chartVersionOf, checkRollback } from "./rollback";

describe("rollback guard", () => {
  const deployed = { chartVersion: "0.2.1", revision: 4 };
  it("reads the version from helm's chart field", () => {
    assert.equal(chartVersionOf("splai-0.2.1", "splai"), "0.2.1");
    assert.equal(chartVersionOf("splai-0.1.0-main.7", "splai"), "0.1.0-main.7");
    assert.equal(chartVersionOf("other-1.0.0", "splai"), undefined);
  });
  it("passes a first release, an upgrade and a re-deploy", () => {
    assert.equal(checkRollback("0.2.0", undefined, false, "ns/splai").ok, true);
    assert.match(checkRollback("0.3.0", deployed, false, "ns/splai").reason, /upgrade 0.2.1 → 0.3.0/);
    assert.match(checkRollback("0.2.1", deployed, false, "ns/splai").reason, /already deployed \(revision 4\)/);
  });
  it("refuses an older version and names the setting that allows it", () => {
    const d = checkRollback("0.2.0", deployed, false, "splai-system/splai");
    assert.equal(d.ok, false);
    assert.match(d.reason, /splai-system\/splai runs chart 0.2.1 \(revision 4\); 0.2.0 is older/);
    assert.match(d.reason, /pulumi config set splai-release:allowRollback true/);
  });
  it("allows the older version with consent", () => {
    const d = checkRollback("0.2.0", deployed, true, "ns/splai");
    assert.equal(d.ok, true);
    assert.match(d.reason, /rollback 0.2.1 → 0.2.0/);
  });
  it("orders prereleases below their release", () => {
    assert.equal(checkRollback("0.2.1-rc.1", deployed, false, "ns/splai").ok, false);
    assert.equal(checkRollback("0.2.2-rc.1", deployed, false, "ns/splai").ok, true);
  });
  it("does not compare a deployed version that is not semver", () => {
    assert.equal(checkRollback("0.2.0", { chartVersion: "dev", revision: 1 }, false, "ns/splai").ok, true);
  });
});
