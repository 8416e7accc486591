// Which tools `npm run toolchain` provides: ungrouped tools by default, a group's tools with --<group> or --all, named tools always.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UserError } from "../lib/log";
import { loadToolchain, selectTools, type Tool } from "./versions";

const tool = (name: string, group?: string): Tool => ({
  name,
  version: "1.0.0",
  bins: [name],
  check: [name, "--version"],
  dir: `/x/${name}`,
  group,
});
const tools = [
  tool("helm"),
  tool("nfpm"),
  tool("kubelet", "real-node"),
  tool("goreleaser", "bench"),
  tool("ko", "bench"),
];
const names = (names: string[], flags: string[]): string[] => selectTools(tools, names, flags).tools.map((t) => t.name);

describe("toolchain groups", () => {
  for (const [args, want] of [
    [
      [[], []],
      ["helm", "nfpm"],
    ],
    [
      [[], ["real-node"]],
      ["helm", "nfpm", "kubelet"],
    ],
    [
      [[], ["bench"]],
      ["helm", "nfpm", "goreleaser", "ko"],
    ],
    [
      [[], ["all"]],
      ["helm", "nfpm", "kubelet", "goreleaser", "ko"],
    ],
    [[["ko"], []], ["ko"]],
    [[["kubelet"], ["real-node"]], ["kubelet"]],
    [
      [["nfpm"], ["bench"]],
      ["nfpm", "goreleaser", "ko"],
    ],
  ] as const) {
    it(`names ${JSON.stringify(args[0])}, flags ${JSON.stringify(args[1])} → ${want.join(", ")}`, () => {
      assert.deepEqual(names([...args[0]], [...args[1]]), want);
    });
  }

  it("says which groups were asked for (--all: every one)", () => {
    assert.deepEqual([...selectTools(tools, [], ["real-node"]).groups], ["real-node"]);
    assert.deepEqual([...selectTools(tools, [], ["all"]).groups].sort(), ["bench", "real-node"]);
    assert.deepEqual([...selectTools(tools, [], []).groups], []);
  });

  it("refuses an unknown option and lists the known ones", () => {
    assert.throws(
      () => selectTools(tools, [], ["benhc"]),
      (e: unknown) => e instanceof UserError && /--benhc.*--all, --bench, --real-node/.test(e.message),
    );
  });

  it("package.json: kubelet is real-node, goreleaser and ko are bench, the rest have no group", () => {
    const byName = new Map(loadToolchain().tools.map((t) => [t.name, t.group]));
    assert.equal(byName.get("kubelet"), "real-node");
    assert.equal(byName.get("goreleaser"), "bench");
    assert.equal(byName.get("ko"), "bench");
    for (const name of ["nfpm", "cosign", "versitygw", "helm", "kubernetes"])
      assert.equal(byName.get(name), undefined, name);
  });
});
