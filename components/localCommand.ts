// A local shell command as a resource (@pulumi/command's `local.Command`), and how commands run the program's own scripts.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";

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

/** A local shell command as a resource: @pulumi/command's `local.Command`, its stderr in the engine's log, `stdout` its output. */
export function localCommand(name: string, args: LocalCommandArgs, opts: pulumi.CustomResourceOptions): command.local.Command {
  return new command.local.Command(name, { ...args, logging: "stderr" }, opts);
}
