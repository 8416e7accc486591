// Step contracts: every step reachable by a unique name, both sides held to one field list by the compiler, decoding.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import ts from "typescript";
import { PUBLISH_CHART } from "../../components/chart/contract";
import { STEPS } from "../../steps";
import { programRoot } from "./command";
import { parseStepOutput, tryParseStepOutput, type AnyContract } from "./contract";

/** Every step contract the components declare, from each `components/<feature>/contract.ts`. */
function declaredContracts(): { file: string; contract: AnyContract }[] {
  const dir = join(programRoot, "components");
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(join(dir, e.name)).includes("contract.ts"))
    .flatMap((e) => {
      const file = `components/${e.name}/contract.ts`;
      const exports = require(join(programRoot, file)) as Record<string, unknown>;
      return Object.values(exports).flatMap((v) => {
        const c = v as Partial<AnyContract> | null;
        const isContract =
          c !== null &&
          typeof c === "object" &&
          typeof c.name === "string" &&
          typeof c.env === "object" &&
          typeof c.output === "function";
        return isContract ? [{ file, contract: c as AnyContract }] : [];
      });
    });
}

describe("the steps", () => {
  const contracts = declaredContracts();

  it("give every declared contract a unique name", () => {
    assert.ok(contracts.length >= 8, `found ${contracts.length} contracts`);
    const names = contracts.map((c) => c.contract.name);
    const repeated = names.filter((n, i) => names.indexOf(n) !== i);
    assert.deepEqual(repeated, [], "a name two contracts share would run one step for both");
  });

  it("run every declared contract by its name, and nothing else", () => {
    assert.deepEqual(Object.keys(STEPS).sort(), contracts.map((c) => c.contract.name).sort());
  });

  it("load, for every name, a module whose default is the step's main", () => {
    for (const name of Object.keys(STEPS)) {
      const mod = STEPS[name]();
      assert.equal(typeof mod.default, "function", name);
    }
  });
});

/** Type-checks in-memory files (by path under the program's root) with the project's compiler options. */
class Checker {
  private readonly options: ts.CompilerOptions;
  private previous: ts.Program | undefined;

  constructor() {
    const config = ts.readConfigFile(join(programRoot, "tsconfig.json"), (p) => ts.sys.readFile(p));
    this.options = { ...ts.parseJsonConfigFileContent(config.config, ts.sys, programRoot).options, noEmit: true };
  }

  /** Diagnostics of `roots`, with `files` (relative paths) read from memory instead of the disk. */
  diagnostics(roots: string[], files: Record<string, string>): string[] {
    const mem = new Map(Object.entries(files).map(([p, text]) => [join(programRoot, p), text]));
    const disk = ts.createCompilerHost(this.options);
    const host: ts.CompilerHost = {
      ...disk,
      getSourceFile: (name, version, ...rest) => {
        const text = mem.get(name);
        return text === undefined
          ? disk.getSourceFile(name, version, ...rest)
          : ts.createSourceFile(name, text, version);
      },
      fileExists: (name) => mem.has(name) || disk.fileExists(name),
      readFile: (name) => mem.get(name) ?? disk.readFile(name),
    };
    const rootPaths = roots.map((r) => join(programRoot, r));
    const program = ts.createProgram(rootPaths, this.options, host, this.previous);
    this.previous = program;
    return rootPaths.flatMap((p) =>
      ts
        .getPreEmitDiagnostics(program, program.getSourceFile(p))
        .map((d) => `${p.slice(programRoot.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`),
    );
  }
}

/** A literal of the right type for each kind of field. */
const sample: Record<string, string> = {
  text: '"x"',
  optionalText: '"x"',
  secret: '"x"',
  flag: "true",
  integer: "1",
  json: "[]",
};

/** A component's and a step's use of PUBLISH_CHART: every field set, one read; `set`/`read` rename one side. */
function program(o: { set?: (field: string) => string; read?: string } = {}): string {
  const fields = Object.entries(PUBLISH_CHART.env)
    .map(([k, f]) => `  ${(o.set ?? ((x) => x))(k)}: ${sample[f.kind]},`)
    .join("\n");
  return [
    'import type { EnvIn, EnvOut } from "./shared/step/contract";',
    'import { PUBLISH_CHART } from "./components/chart/contract";',
    `export const env: EnvIn<typeof PUBLISH_CHART> = {\n${fields}\n};`,
    "declare const out: EnvOut<typeof PUBLISH_CHART>;",
    `export const alias: string = out.${o.read ?? "CHART_ALIAS"};`,
    "",
  ].join("\n");
}

describe("a step contract", () => {
  const CHECK = "contract-check.ts";
  let checker: Checker;
  before(() => {
    checker = new Checker();
  });

  it("type-checks a component's settings and a step's reads that use its field names", () => {
    assert.deepEqual(checker.diagnostics([CHECK], { [CHECK]: program() }), []);
  });

  it("fails the build when a component sets a field by another name", () => {
    const renamed = program({ set: (k) => (k === "CHART_ALIAS" ? "CHART_TAG" : k) });
    const found = checker.diagnostics([CHECK], { [CHECK]: renamed });
    assert.ok(
      found.some((d) => d.includes("'CHART_TAG' does not exist in type")),
      found.join("\n"),
    );
  });

  it("fails the build when a component leaves out a required field", () => {
    const missing = program({ set: (k) => (k === "CHART_ALIAS" ? "// CHART_ALIAS" : k) });
    const found = checker.diagnostics([CHECK], { [CHECK]: missing });
    assert.ok(
      found.some((d) => d.includes("Property 'CHART_ALIAS' is missing")),
      found.join("\n"),
    );
  });

  it("fails the build when a step reads a field by another name", () => {
    const found = checker.diagnostics([CHECK], { [CHECK]: program({ read: "CHART_TAG" }) });
    assert.ok(
      found.some((d) => d.includes("Property 'CHART_TAG' does not exist on type")),
      found.join("\n"),
    );
  });

  it("fails the real component and the real step when the contract renames a field", () => {
    const contract = readFileSync(join(programRoot, "components/chart/contract.ts"), "utf8");
    assert.match(contract, /^ {2}CHART_REPOSITORY: text,$/m);
    const renamed = contract.replace(/^ {2}CHART_REPOSITORY: text,$/m, "  CHART_REPO: text,");
    const found = checker.diagnostics(["components/chart/ChartPublish.ts", "components/chart/publish.step.ts"], {
      "components/chart/contract.ts": renamed,
    });
    for (const side of ["components/chart/ChartPublish.ts", "components/chart/publish.step.ts"])
      assert.ok(
        found.some((d) => d.startsWith(`${side}: `) && d.includes("CHART_REPOSITORY")),
        `${side}:\n${found.join("\n")}`,
      );
  });

  it(
    // TypeScript checks no excess properties that come in through a spread, so no component sets fields that way.
    "fails the build when a component sets an optional field by another name",
    () => {
      const file = "components/supplychain/ImageAttestation.ts";
      const source = readFileSync(join(programRoot, file), "utf8");
      const renamed = source.replace("DOCKERFILE_INLINE:", "DOCKERFILE_TEXT:");
      assert.notEqual(renamed, source);
      const found = checker.diagnostics([file], { [file]: renamed });
      assert.ok(
        found.some((d) => d.includes("DOCKERFILE_TEXT")),
        found.join("\n"),
      );
    },
  );
});

describe("parseStepOutput", () => {
  it("takes the record from the last line, after the step's log lines and trailing blank lines", () => {
    const stdout = 'pushing splai 1.2.3\n{"not":"this"}\n{"ref":"oci://reg/splai","version":"1.2.3"}\n\n';
    assert.deepEqual(parseStepOutput(stdout), { ref: "oci://reg/splai", version: "1.2.3" });
    assert.deepEqual(parseStepOutput("[]"), []);
  });

  it("fails naming the last line when it is not JSON", () => {
    assert.throws(
      () => parseStepOutput('{"ref":"x"}\nError: helm push failed\n'),
      /the step printed no JSON record as its last line of output: 'Error: helm push failed'/,
    );
    assert.throws(() => parseStepOutput(""), /the step printed no JSON record as its last line of output: ''/);
  });

  it("shortens a long last line in the error", () => {
    const long = "x".repeat(1000);
    assert.throws(
      () => parseStepOutput(long),
      (e: Error) => e.message.includes(`'${"x".repeat(200)}'`) && !e.message.includes("x".repeat(201)),
    );
  });

  it("reads as no record yet what a preview has: no output, or no JSON", () => {
    assert.equal(tryParseStepOutput(undefined), undefined);
    assert.equal(tryParseStepOutput(pulumi.runtime.unknownValue), undefined);
    assert.equal(tryParseStepOutput("  \n"), undefined);
    assert.equal(tryParseStepOutput("building\nnot json"), undefined);
    assert.deepEqual(tryParseStepOutput('log\n{"tag":"v1"}'), { tag: "v1" });
  });
});
