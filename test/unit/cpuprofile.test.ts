// bench/cpuprofile.ts: self time by package and the program's own functions, inclusive, from a V8 CPU profile.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { summarize, type CpuProfile } from "../../bench/cpuprofile";

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });

// (root) → main (program.js) → build (components/x.ts) → Resource (@pulumi/pulumi) ; build → readFileUtf8 (native)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)", ""), children: [2, 6] },
    { id: 2, callFrame: frame("main", "file:///tmp/x/program/program.js"), children: [3] },
    { id: 3, callFrame: frame("build", "file:///tmp/x/program/components/x.ts"), children: [4, 5] },
    { id: 4, callFrame: frame("Resource", "file:///tmp/x/program/node_modules/@pulumi/pulumi/resource.js") },
    { id: 5, callFrame: frame("readFileUtf8", "") },
    { id: 6, callFrame: frame("(idle)", "") },
  ],
  // Sample i lands on node samples[i] after timeDeltas[i] microseconds.
  samples: [4, 4, 5, 3, 6],
  timeDeltas: [1000, 2000, 3000, 4000, 10000],
  startTime: 0,
  endTime: 20000,
};

describe("bench/cpuprofile summarize", () => {
  const s = summarize(profile);
  it("covers the profile's wall time", () => assert.equal(s.totalMs, 20));
  it("charges self time to the package, Node's internals, V8 or the program", () => {
    assert.deepEqual(Object.fromEntries(s.byPackage.map((x) => [x.name, x.ms])), {
      "@pulumi/pulumi": 3,
      "(readFileUtf8)": 3,
      "(the program)": 4,
      "(idle)": 10,
    });
  });
  it("gives the program's own functions the time of everything they called", () => {
    assert.deepEqual(Object.fromEntries(s.ownInclusive.map((x) => [x.name, x.ms])), {
      "build components/x.ts": 10,
      "main program.js": 10,
    });
  });
});
