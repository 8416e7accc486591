// Build triggers against a real Go module and the real `go list`: every input of a main changes its trigger, nothing
// else does, and one `go list` answers for all mains.
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { localPackagesOf, sourceHasher } from "./sourcehash";

const MAINS = ["./cmd/api", "./cmd/ctl"];
const FLAGS = ["linux", "amd64", "-trimpath -ldflags '-s -w -X main.version=1.0.0'"];

describe("build triggers (sourcehash)", () => {
  let dir: string;
  const write = (file: string, text: string): void => {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  /** Each main's trigger for one target, recomputed from scratch as a fresh `up` would. */
  const triggers = (flags = FLAGS): Record<string, string> => {
    const pkgs = localPackagesOf(dir, MAINS);
    return Object.fromEntries(MAINS.map((m) => [m, sourceHasher(dir, pkgs.get(m)!).withExtra(flags)]));
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "splai-sourcehash-"));
    write("go.mod", "module example.com/splai\n\ngo 1.22\n");
    write("go.sum", "");
    write("internal/store/store.go", 'package store\n\nfunc Name() string { return "mem" }\n');
    write("internal/web/web.go", 'package web\n\nimport _ "embed"\n\n//go:embed index.html\nvar Page string\n');
    write("internal/web/index.html", "<h1>splai</h1>\n");
    write(
      "cmd/api/main.go",
      'package main\n\nimport (\n\t"example.com/splai/internal/store"\n\t"example.com/splai/internal/web"\n)\n\nvar version = "dev"\n\nfunc main() { println(store.Name(), web.Page, version) }\n',
    );
    write(
      "cmd/ctl/main.go",
      'package main\n\nimport "example.com/splai/internal/store"\n\nfunc main() { println(store.Name()) }\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists each main's own packages with their embeds, from one go list for all mains", () => {
    const pkgs = localPackagesOf(dir, MAINS);
    const rel = (m: string): string[] => pkgs.get(m)!.map((p) => p.dir.slice(dir.length + 1));
    assert.deepEqual(rel("./cmd/api"), ["cmd/api", "internal/store", "internal/web"]);
    assert.deepEqual(rel("./cmd/ctl"), ["cmd/ctl", "internal/store"]);
    assert.deepEqual(pkgs.get("./cmd/api")!.find((p) => p.dir.endsWith("web"))!.embeds, ["index.html"]);
  });

  it("answers through a symbolic link to the module, matching mains by their real directory", () => {
    const link = join(tmpdir(), `splai-sourcehash-link-${process.pid}`);
    symlinkSync(dir, link);
    try {
      const pkgs = localPackagesOf(link, MAINS);
      assert.equal(pkgs.get("./cmd/ctl")!.length, 2);
    } finally {
      unlinkSync(link);
    }
  });

  it("refuses a main go list does not answer for, naming it", () => {
    assert.throws(() => localPackagesOf(dir, ["./cmd/api", "./cmd/missing"]), /cmd\/missing/);
  });

  // Each edit writes one file; the file is then restored (or removed), so every case starts from the same tree.
  const cases: { what: string; file: string; text: string; changes: string[] }[] = [
    {
      what: "the main's own source",
      file: "cmd/api/main.go",
      text: "package main\n\nfunc main() {}\n",
      changes: ["./cmd/api"],
    },
    {
      what: "a local package both mains import",
      file: "internal/store/store.go",
      text: 'package store\n\nfunc Name() string { return "etcd" }\n',
      changes: ["./cmd/api", "./cmd/ctl"],
    },
    { what: "an embedded file", file: "internal/web/index.html", text: "<h1>SPLAI</h1>\n", changes: ["./cmd/api"] },
    {
      what: "a new, untracked Go file in an imported package",
      file: "internal/store/extra.go",
      text: "package store\n\nvar Extra = 1\n",
      changes: ["./cmd/api", "./cmd/ctl"],
    },
    {
      what: "go.mod",
      file: "go.mod",
      text: "module example.com/splai\n\ngo 1.23\n",
      changes: ["./cmd/api", "./cmd/ctl"],
    },
    { what: "go.sum", file: "go.sum", text: "example.com/x v1.0.0 h1:abc=\n", changes: ["./cmd/api", "./cmd/ctl"] },
    { what: "a test file (not built)", file: "internal/store/store_test.go", text: "package store\n", changes: [] },
    { what: "a file no main builds from", file: "docs/README.md", text: "# docs\n", changes: [] },
  ];
  for (const c of cases) {
    it(`${c.what}: changes the trigger of ${c.changes.length ? c.changes.join(" and ") : "no main"}`, () => {
      const path = join(dir, c.file);
      const original = existsSync(path) ? readFileSync(path, "utf8") : undefined;
      const before = triggers();
      write(c.file, c.text);
      try {
        const now = triggers();
        for (const m of MAINS)
          assert.equal(now[m] !== before[m], c.changes.includes(m), `${m} after changing ${c.what}`);
      } finally {
        if (original === undefined) unlinkSync(path);
        else writeFileSync(path, original);
      }
      assert.deepEqual(triggers(), before, `restoring ${c.file} restores every trigger`);
    });
  }

  it("the target and the flags (version, ldflags) are part of every trigger", () => {
    const base = triggers();
    for (const flags of [
      ["linux", "arm64", FLAGS[2]],
      ["darwin", "amd64", FLAGS[2]],
      ["linux", "amd64", FLAGS[2].replace("1.0.0", "1.0.1")],
    ]) {
      const t = triggers(flags);
      for (const m of MAINS) assert.notEqual(t[m], base[m], `${m} with ${flags.join(" ")}`);
    }
    // Same inputs, same trigger: nothing is rebuilt when nothing changed.
    assert.deepEqual(triggers(), base);
  });
});
