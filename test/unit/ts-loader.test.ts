// ts-loader.js, the loader program.js and step.js use: TypeScript the way the program is written, cached by content.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { repoRoot } from "../../tools/lib/paths";

const loader = require(join(repoRoot, "ts-loader.js")) as { transpile(file: string): string; OPTIONS: object };

describe("ts-loader.js", () => {
  let dir: string;
  let cache: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "splai-ts-loader-"));
    cache = join(dir, "cache");
    process.env.SPLAI_TS_CACHE = cache;
  });
  after(() => {
    delete process.env.SPLAI_TS_CACHE;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `node -e` the way program.js starts: the loader registered, then a TypeScript module required. */
  const run = (entry: string): string =>
    execFileSync(
      process.execPath,
      ["-e", `require(${JSON.stringify(join(repoRoot, "ts-loader.js"))}).register(); ${entry}`],
      { cwd: dir, encoding: "utf8", env: { ...process.env, SPLAI_TS_CACHE: cache } },
    );

  it("loads the program's TypeScript: export =, extensionless imports, classes, default imports of CommonJS", () => {
    writeFileSync(
      join(dir, "lib.ts"),
      'import YAML from "yaml";\nexport class Box { constructor(public readonly v: number) {} }\nexport const dump = (o: object): string => YAML.stringify(o).trim();\n',
    );
    writeFileSync(
      join(dir, "index.ts"),
      'import { Box, dump } from "./lib";\nconst b: Box = new Box(2);\nexport = { answer: dump({ v: b.v }), name: Box.name };\n',
    );
    // yaml resolves from this checkout's node_modules, as the program's packages do from its own.
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    execFileSync("ln", ["-s", join(repoRoot, "node_modules", "yaml"), join(dir, "node_modules", "yaml")]);
    const out = run(`console.log(JSON.stringify(require(${JSON.stringify(join(dir, "index.ts"))})))`);
    assert.deepEqual(JSON.parse(out), { answer: "v: 2", name: "Box" });
  });

  it("maps stack traces of its modules to the TypeScript lines", () => {
    writeFileSync(
      join(dir, "fails.ts"),
      "type T = { a: number };\n\nexport function boom(t: T): never {\n  throw new Error(`boom ${t.a}`);\n}\n",
    );
    const out = run(
      `try { require(${JSON.stringify(join(dir, "fails.ts"))}).boom({ a: 1 }); } catch (e) { console.log(e.stack); }`,
    );
    assert.match(out, /fails\.ts:4:\d+/);
  });

  it("transpiles a file once: the next load reads the cache, and an edit is transpiled again", () => {
    const file = join(dir, "cached.ts");
    writeFileSync(file, "export const n: number = 1;\n");
    rmSync(cache, { recursive: true, force: true });
    const first = loader.transpile(file);
    const [version] = readdirSync(cache);
    const entries = readdirSync(join(cache, version));
    assert.equal(entries.length, 1);
    // Whatever the cache holds is what is loaded: a marked entry proves the second load did not transpile.
    const entry = join(cache, version, entries[0]);
    writeFileSync(entry, `${readFileSync(entry, "utf8")}\n// from the cache`);
    assert.match(loader.transpile(file), /from the cache/);
    writeFileSync(file, "export const n: number = 2;\n");
    const edited = loader.transpile(file);
    assert.doesNotMatch(edited, /from the cache/);
    assert.notEqual(edited, first);
    assert.equal(readdirSync(join(cache, version)).length, 2);
  });

  it("refuses TypeScript inside node_modules, naming the file", () => {
    const pkg = join(dir, "node_modules", "tspkg");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "index.ts"), "export const x = 1;\n");
    assert.throws(
      () => run(`require(${JSON.stringify(join(pkg, "index.ts"))})`),
      /node_modules\/tspkg\/index\.ts is TypeScript inside node_modules/,
    );
  });
});
