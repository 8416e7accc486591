// A local shell command as a resource: @pulumi/command's `local.Command` where its plugin is installed, else an equivalent dynamic resource.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";

export type CommandBackend = "plugin" | "dynamic";

/** The program's root: the `dir` of commands that run its scripts (node resolves tsx from there). */
export const programRoot = resolve(__dirname, "..");

/**
 * The shell command that runs one of the program's TypeScript scripts. `--use-openssl-ca`: the registry and GitHub
 * clients trust the system store, as helm and buildctl do.
 */
export function scriptRun(script: string, ...args: string[]): string {
  return [`node --use-openssl-ca --import tsx '${resolve(programRoot, script)}'`, ...args].join(" ");
}

export interface LocalCommandArgs {
  /** Runs on create, and on update when `update` is unset. */
  readonly create: pulumi.Input<string>;
  readonly update?: pulumi.Input<string>;
  /** Runs when the resource is deleted (or replaced). */
  readonly delete?: pulumi.Input<string>;
  readonly dir?: pulumi.Input<string>;
  readonly environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Any change replaces the resource (runs `create` again). */
  readonly triggers?: pulumi.Input<unknown>[];
}

export interface CommandResult {
  readonly stdout: pulumi.Output<string>;
}

interface DynamicInputs {
  create: string;
  update?: string;
  delete?: string;
  dir?: string;
  environment?: Record<string, string>;
  triggers?: unknown[];
}

interface DynamicOutputs extends DynamicInputs {
  stdout: string;
  stderr: string;
}

/**
 * The dynamic provider. Its methods are serialized into the stack state, so they require what they use
 * instead of capturing module-level values.
 */
const provider: pulumi.dynamic.ResourceProvider<DynamicInputs, DynamicOutputs> = {
  async create(inputs) {
    const out = await runShell(inputs.create, inputs);
    const { randomBytes } = require("node:crypto") as typeof import("node:crypto");
    return { id: `cmd-${randomBytes(8).toString("hex")}`, outs: { ...inputs, ...out } };
  },
  async diff(_id, olds, news) {
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const replaces = same(olds.triggers, news.triggers) ? [] : ["triggers"];
    const changed = (["create", "update", "delete", "dir", "environment"] as const).filter((k) => !same(olds[k], news[k]));
    return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace: false };
  },
  async update(_id, _olds, news) {
    const out = await runShell(news.update ?? news.create, news);
    return { outs: { ...news, ...out } };
  },
  async delete(_id, props) {
    if (props.delete) await runShell(props.delete, props);
  },
};

function runShell(script: string, inputs: DynamicInputs): Promise<{ stdout: string; stderr: string }> {
  const { spawn } = require("node:child_process") as typeof import("node:child_process");
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", script], {
      cwd: inputs.dir,
      env: { ...process.env, ...(inputs.environment ?? {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve({ stdout: stdout.replace(/\n$/, ""), stderr });
      else reject(new Error(`command exited with ${code}:\n${stderr.trim().split("\n").slice(-30).join("\n")}`));
    });
  });
}

class DynamicCommand extends pulumi.dynamic.Resource {
  declare public readonly stdout: pulumi.Output<string>;

  constructor(name: string, args: LocalCommandArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, stdout: undefined, stderr: undefined }, opts, "splai", "LocalCommand");
  }
}

/** Creates the command with the chosen backend; both run `/bin/sh -c` with the same inputs and expose `stdout`. */
export function localCommand(
  name: string,
  args: LocalCommandArgs,
  opts: pulumi.CustomResourceOptions,
  backend: CommandBackend,
): pulumi.CustomResource & CommandResult {
  if (backend === "dynamic") return new DynamicCommand(name, args, opts);
  return new command.local.Command(name, { ...args, logging: "stderr" }, opts);
}
