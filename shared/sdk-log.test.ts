// The SDK's RPC dumps are dropped from the debug log; other debug lines pass.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dropRpcDebugDumps, isRpcDump } from "./sdk-log";

describe("SDK debug log", () => {
  it("recognises the RPC dumps that carry outputs, and nothing else", () => {
    assert.ok(isRpcDump("RegisterResource RPC finished: resource:x[t]; err: null, resp: urn,…,value,,,s3cret"));
    assert.ok(isRpcDump("ReadResource RPC finished: x; err: null, resp: …"));
    assert.ok(isRpcDump("Invoke RPC finished: tok=t; err: null, resp: …"));
    assert.ok(!isRpcDump("Registering resource: t=command:local:Command, name=x, custom=true, remote=false"));
  });
  it("replaces log.debug with a filter that the SDK's modules see", async () => {
    const log = require("@pulumi/pulumi/log") as typeof import("@pulumi/pulumi/log");
    const before = log.debug;
    dropRpcDebugDumps();
    assert.notEqual(log.debug, before);
    // Without an engine, debug() resolves without output; the filter returns the same kind of promise.
    await log.debug("RegisterResource RPC finished: x; resp: secret");
    // The SDK's runtime modules hold the same module object (its esModule interop keeps it), so they call the filter.
    const runtime = require("@pulumi/pulumi/runtime/resource.js") as object;
    assert.ok(runtime);
    assert.equal((require("@pulumi/pulumi/log") as typeof log).debug, log.debug);
  });
});
