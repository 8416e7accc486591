// The archive writer: what GNU tar reads back (names, modes, owners, times, contents), and the same bytes every time.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tarGz } from "./tar";

const entries = [
  { name: "splaictl", data: Buffer.from("#!/bin/sh\necho splaictl\n"), mode: 0o755 },
  { name: "README.md", data: Buffer.from("# SPLAI\n"), mode: 0o644 },
  { name: "LICENSE", data: Buffer.alloc(1000, 0x61), mode: 0o644 },
];

describe("tarGz", () => {
  it("gives the same bytes for the same files in any order", () => {
    assert.deepEqual(tarGz(entries, 1_700_000_000), tarGz([...entries].reverse(), 1_700_000_000));
    assert.notDeepEqual(tarGz(entries, 1_700_000_000), tarGz(entries, 1_700_000_001));
  });

  it("is read by tar as sorted root-owned files with their modes, time and contents", () => {
    const dir = mkdtempSync(join(tmpdir(), "targz-"));
    writeFileSync(join(dir, "a.tar.gz"), tarGz(entries, 1_700_000_000));
    const listing = execFileSync("tar", ["-tvzf", join(dir, "a.tar.gz"), "--numeric-owner", "--full-time"], {
      encoding: "utf8",
    });
    const rows = listing.trim().split("\n");
    assert.deepEqual(
      rows.map((r) => r.split(/\s+/).pop()),
      ["LICENSE", "README.md", "splaictl"],
    );
    for (const r of rows) assert.match(r, /^-\S+ 0\/0 /);
    assert.match(rows[2], /^-rwxr-xr-x /);
    assert.match(rows[0], /^-rw-r--r-- .* 2023-11-14 \d\d:13:20 LICENSE$/);
    execFileSync("tar", ["-xzf", join(dir, "a.tar.gz"), "-C", dir]);
    assert.equal(readFileSync(join(dir, "LICENSE"), "utf8"), "a".repeat(1000));
    assert.equal(statSync(join(dir, "splaictl")).mode & 0o777, 0o755);
  });
});
