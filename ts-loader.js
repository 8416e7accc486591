// How the program and its steps load their own TypeScript: each `.ts` file outside node_modules is transpiled by
// esbuild (no type check: `npm run lint` does that) and cached on disk by its content; every other module loads as
// Node loads it. tsx's require hook, used before, also reads every `.js` file of node_modules to look for ESM syntax:
// with it, loading @pulumi/pulumi took 2.0 s instead of 1.0 s on this machine, on every `up`, `preview` and step.
"use strict";
const esbuild = require("esbuild");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/** The same transform tsx made: CommonJS for Node 20, source maps inline, names kept, tsconfig's own options. */
const OPTIONS = {
  loader: "ts",
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: "inline",
  keepNames: true,
  tsconfigRaw: { compilerOptions: { target: "ES2022", esModuleInterop: true, strict: true } },
};

/** ~/.cache/splai-release/ts/<esbuild version>: the cache outlives checkouts, and a new esbuild starts a new one. */
function cacheDir() {
  const base = process.env.SPLAI_TS_CACHE ?? path.join(os.homedir(), ".cache", "splai-release", "ts");
  return path.join(base, esbuild.version);
}

/** JavaScript for one TypeScript file: from the cache when its path, content and options were transpiled before. */
function transpile(filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = createHash("sha256")
    .update(JSON.stringify(OPTIONS))
    .update("\0")
    .update(filename)
    .update("\0")
    .update(source)
    .digest("hex");
  const dir = cacheDir();
  const cached = path.join(dir, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
    try {
      fs.mkdirSync(dir, { recursive: true });
      // Written under a unique name, then renamed: two processes loading the same file never read half of it.
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    } catch {
      // A cache that cannot be written (read-only home) only costs the next run the transform again.
    }
    return code;
  }
}

function register() {
  if (require.extensions[".ts"]) return;
  require.extensions[".ts"] = (module, filename) => {
    if (filename.split(path.sep).includes("node_modules"))
      throw new Error(`ts-loader: ${filename} is TypeScript inside node_modules; packages must ship JavaScript`);
    module._compile(transpile(filename), filename);
  };
  process.setSourceMapsEnabled(true);
}

module.exports = { register, transpile, OPTIONS };
