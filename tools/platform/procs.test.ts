// Platform process helpers: a port in use and a stale pid give clear answers, never a hang.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertPortFree, isOurs, startDetached, stop, waitReady } from "./procs";
import { initState } from "./state";

describe("platform processes", () => {
  it("names the port, the service and the variable to change when a port is taken", async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as { port: number }).port;
    try {
      await assert.rejects(
        assertPortFree(port, "registry", "SPLAI_PORT_REGISTRY"),
        new RegExp(`port ${port} for registry is already in use.*SPLAI_PORT_REGISTRY=<port>`),
      );
    } finally {
      srv.close();
    }
    await assert.doesNotReject(assertPortFree(port, "registry", "SPLAI_PORT_REGISTRY"));
  });

  it("tells a live process of ours from a stale record and from a reused pid", async () => {
    const log = join(mkdtempSync(join(tmpdir(), "procs-")), "sleep.log");
    const rec = startDetached("/bin/sleep", ["30"], log, process.env);
    assert.equal(isOurs(rec), true);
    assert.equal(isOurs({ ...rec, exe: "/usr/bin/other" }), false, "a pid running another executable is not ours");
    await stop(rec);
    assert.equal(isOurs(rec), false, "stopped process is stale");
    assert.equal(isOurs(undefined), false);
  });

  it("gives up waiting with the service's log instead of hanging", async () => {
    const t0 = Date.now();
    await assert.rejects(
      waitReady("github-emulator", undefined, async () => false, 1500),
      /github-emulator was not ready after 1\.5s/,
    );
    assert.ok(Date.now() - t0 < 5000);
  });

  it("refuses a port variable that is no port", () => {
    process.env.SPLAI_PORT_GITHUB = "http";
    try {
      assert.throws(() => initState(mkdtempSync(join(tmpdir(), "state-"))), /SPLAI_PORT_GITHUB=http is not a TCP port/);
    } finally {
      delete process.env.SPLAI_PORT_GITHUB;
    }
  });
});
