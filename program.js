// The entry `pulumi up` and `pulumi preview` run (package.json "main"; Pulumi.yaml says typescript: false).
// index.ts and its modules load through ts-loader.js (esbuild, no type check, cached on disk) instead of the runtime's
// built-in ts-node, which loads the TypeScript compiler and transpiles every module on every run: on this machine an
// empty program's no-op `up` took 5.3 s that way and 3.3 s with an esbuild hook. Type checking is `npm run lint`'s job.
if (process.env.SPLAI_PROFILE) profile(process.env.SPLAI_PROFILE);
require("./ts-loader").register();
cheapPromiseTraces();
module.exports = require("./index.ts");

/**
 * Pulumi's SDK records a stack trace for every promise it might later report as leaked (`debuggablePromise`), and
 * source-map-support, which `pulumi` installs, maps every frame of each one through the program's source maps: the
 * largest share of the program's own CPU time in a no-op `up` (bench/results.md). Those traces are printed only under
 * PULUMI_DEBUG_PROMISE_LEAKS, so without it they keep V8's plain frames; every other stack trace (any error a user
 * sees) is mapped as before.
 */
function cheapPromiseTraces() {
  const mapped = Error.prepareStackTrace;
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS || typeof mapped !== "function") return;
  Error.prepareStackTrace = (error, frames) =>
    frames.length > 0 && frames[0].getFunctionName() === "debuggablePromise" ? "" : mapped(error, frames);
}

/**
 * SPLAI_PROFILE=<dir>: a V8 CPU profile of the program's process, written at exit to <dir>/program-<pid>.cpuprofile
 * (open in Chrome DevTools or speedscope). Node 20 refuses --cpu-prof in NODE_OPTIONS, so the program starts it itself.
 */
function profile(dir) {
  const inspector = require("node:inspector");
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.enable");
  session.post("Profiler.start");
  process.on("exit", () => {
    // The main thread's inspector session answers synchronously, so this runs to the end inside the exit handler.
    session.post("Profiler.stop", (err, res) => {
      if (err) return;
      const fs = require("node:fs");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        require("node:path").join(dir, `program-${process.pid}.cpuprofile`),
        JSON.stringify(res.profile),
      );
    });
  });
}
