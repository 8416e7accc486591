// A Pulumi language host for Node.js programs: speaks the engine's LanguageRuntime gRPC protocol and runs
// programs with @pulumi/pulumi's own `cmd/run` entry point. It stands in for `pulumi-language-nodejs`, whose Go
// module the package registries here do not serve (see README, "Known limits").
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const HOST_VERSION = process.env.SPLAI_NODEJS_HOST_VERSION || "0.0.0";

if (process.argv.includes("--version")) {
  process.stdout.write(`pulumi-language-nodejs (splai-release) ${HOST_VERSION}\n`);
  process.exit(0);
}

/** Resolves a module from the program directory first (its node_modules), then from next to this host. */
function resolveFrom(dirs, request) {
  for (const dir of dirs) {
    try {
      return require.resolve(request, { paths: [dir] });
    } catch {
      /* try the next directory */
    }
  }
  throw new Error(`cannot find ${request} from ${dirs.join(", ")}; run 'npm install' in the project`);
}

const engineAddress = process.argv[process.argv.length - 1];
const searchDirs = [process.cwd(), __dirname];
const grpc = require(resolveFrom(searchDirs, "@grpc/grpc-js"));
const protoDir = path.dirname(resolveFrom(searchDirs, "@pulumi/pulumi/proto/language_grpc_pb.js"));
const services = require(path.join(protoDir, "language_grpc_pb.js"));
const langpb = require(path.join(protoDir, "language_pb.js"));
const pluginpb = require(path.join(protoDir, "plugin_pb.js"));

let running = new Set();

function programInfo(info, fallbackDir) {
  const options = info && info.getOptions() ? info.getOptions().toJavaScript() : {};
  return {
    root: (info && info.getRootDirectory()) || fallbackDir,
    dir: (info && info.getProgramDirectory()) || fallbackDir,
    entry: (info && info.getEntryPoint()) || ".",
    options,
  };
}

/** Resource plugins named in the `pulumi` blocks of installed packages, as the engine needs them before a run. */
function requiredPlugins(dir) {
  const seen = new Map();
  const visit = (modulesDir, depth) => {
    if (depth > 3 || !fs.existsSync(modulesDir)) return;
    for (const entry of fs.readdirSync(modulesDir)) {
      if (entry.startsWith(".")) continue;
      const p = path.join(modulesDir, entry);
      if (entry.startsWith("@")) {
        visit(p, depth);
        continue;
      }
      const pkgFile = path.join(p, "package.json");
      if (!fs.existsSync(pkgFile)) continue;
      try {
        const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
        const meta = pkg.pulumi;
        if (meta && meta.resource) {
          const name = meta.name || String(pkg.name).replace(/^@pulumi\//, "");
          const version = meta.version || pkg.version;
          seen.set(`${name}@${version}`, { name, version, server: meta.server || "" });
        }
      } catch {
        /* not a readable package */
      }
      visit(path.join(p, "node_modules"), depth + 1);
    }
  };
  visit(path.join(dir, "node_modules"), 0);
  return [...seen.values()];
}

function unimplemented(name) {
  return (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not supported by this language host` });
}

const impl = {
  handshake(_call, callback) {
    callback(null, new langpb.LanguageHandshakeResponse());
  },
  getPluginInfo(_call, callback) {
    const info = new pluginpb.PluginInfo();
    info.setVersion(HOST_VERSION);
    callback(null, info);
  },
  getRequiredPlugins(call, callback) {
    try {
      const req = call.request;
      const { dir } = programInfo(req.getInfo(), req.getPwd() || process.cwd());
      const res = new langpb.GetRequiredPluginsResponse();
      res.setPluginsList(
        requiredPlugins(dir).map((p) => {
          const d = new pluginpb.PluginDependency();
          d.setName(p.name);
          d.setKind("resource");
          d.setVersion(p.version);
          d.setServer(p.server);
          return d;
        }),
      );
      callback(null, res);
    } catch (err) {
      callback({ code: grpc.status.INTERNAL, details: String(err && err.message ? err.message : err) });
    }
  },
  getRequiredPackages: unimplemented("GetRequiredPackages"),
  run(call, callback) {
    const req = call.request;
    const { root, dir, entry, options } = programInfo(req.getInfo(), req.getPwd() || process.cwd());
    let runScript;
    try {
      runScript = resolveFrom([dir, __dirname], "@pulumi/pulumi/cmd/run");
    } catch (err) {
      const res = new langpb.RunResponse();
      res.setError(err.message);
      return callback(null, res);
    }
    const config = {};
    for (const [k, v] of req.getConfigMap().entries()) config[k] = v;
    const args = [
      runScript,
      `--monitor=${req.getMonitorAddress()}`,
      `--engine=${engineAddress}`,
      `--project=${req.getProject()}`,
      `--stack=${req.getStack()}`,
      `--pwd=${dir}`,
      `--root-directory=${root}`,
    ];
    if (req.getOrganization()) args.push(`--organization=${req.getOrganization()}`);
    if (req.getDryrun()) args.push("--dry-run");
    if (req.getParallel() > 0) args.push(`--parallel=${req.getParallel()}`);
    args.push(entry === "" ? "." : entry, ...req.getArgsList());
    const env = {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(config),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
      PULUMI_NODEJS_TYPESCRIPT: String(options.typescript !== false),
    };
    if (typeof options.tsconfig === "string") env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
    if (options.nodeargs) args.unshift(...String(options.nodeargs).split(/\s+/).filter(Boolean));
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ["ignore", "inherit", "inherit"] });
    running.add(child);
    child.on("error", (err) => {
      running.delete(child);
      const res = new langpb.RunResponse();
      res.setError(`could not start the Node.js program: ${err.message}`);
      callback(null, res);
    });
    child.on("close", (code, signal) => {
      running.delete(child);
      const res = new langpb.RunResponse();
      // 32: the program already reported its error to the user, so the engine should just stop.
      if (code === 32) res.setBail(true);
      else if (code !== 0) res.setError(signal ? `Program was terminated by ${signal}` : `Program exited with non-zero exit code: ${code}`);
      callback(null, res);
    });
  },
  installDependencies: unimplemented("InstallDependencies"),
  runtimeOptionsPrompts: unimplemented("RuntimeOptionsPrompts"),
  about(_call, callback) {
    const res = new langpb.AboutResponse();
    res.setExecutable(process.execPath);
    res.setVersion(process.version);
    callback(null, res);
  },
  getProgramDependencies(_call, callback) {
    callback(null, new langpb.GetProgramDependenciesResponse());
  },
  runPlugin: (call) => {
    call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "RunPlugin is not supported by this language host" });
  },
  generateProgram: unimplemented("GenerateProgram"),
  generateProject: unimplemented("GenerateProject"),
  generatePackage: unimplemented("GeneratePackage"),
  pack: unimplemented("Pack"),
  link: unimplemented("Link"),
  template: unimplemented("Template"),
  cancel(_call, callback) {
    for (const child of running) child.kill("SIGTERM");
    callback(null, new (require(resolveFrom(searchDirs, "google-protobuf/google/protobuf/empty_pb.js")).Empty)());
  },
};

const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
server.addService(services.LanguageRuntimeService, impl);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`language host: cannot listen: ${err.message}\n`);
    process.exit(1);
  }
  // The engine reads the port from the first line of stdout.
  process.stdout.write(`${port}\n`);
});
process.on("SIGTERM", () => {
  for (const child of running) child.kill("SIGTERM");
  server.forceShutdown();
  process.exit(0);
});
