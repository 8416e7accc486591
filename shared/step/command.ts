// Program side of a step: a local shell command as a resource (@pulumi/command's `local.Command`), and the typed way to run a step.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";
import { parseStepOutput, type AnyContract, type EnvIn, type Field, type StepOutput } from "./contract";

/** The program's root: the `dir` of step commands (node resolves tsx and `step.js` from there). */
export const programRoot = resolve(__dirname, "..", "..");

/**
 * The shell command that runs a step by its stable name. `--use-openssl-ca`: the registry and GitHub clients trust the
 * system store, as helm and buildctl do.
 */
export const stepRun = (name: string): string => `node --use-openssl-ca step.js ${name}`;

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
export function localCommand(
  name: string,
  args: LocalCommandArgs,
  opts: pulumi.CustomResourceOptions,
): command.local.Command {
  return new command.local.Command(name, { ...args, logging: "stderr" }, opts);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function encode(field: Field<any, any>, value: unknown): pulumi.Input<string> {
  switch (field.kind) {
    case "text":
      return value as pulumi.Input<string>;
    case "optionalText":
      // A plain string stays plain (a string in the state, as before); an Output resolves to "" when undefined.
      return typeof value === "string"
        ? value
        : pulumi.output(value as pulumi.Input<string | undefined>).apply((v) => v ?? "");
    case "secret":
      return pulumi.secret(value as pulumi.Input<string>);
    case "flag":
      return String(value);
    case "integer":
      return typeof value === "number" ? String(value) : pulumi.output(value as pulumi.Input<number>).apply(String);
    case "json":
      return pulumi.output(value as pulumi.Input<object>).apply((v) => JSON.stringify(v));
  }
}

/** Encodes a step's settings into a command environment, field by field as its contract says. */
export function stepEnvironment<C extends AnyContract>(
  contract: C,
  env: EnvIn<C>,
): Record<string, pulumi.Input<string>> {
  const values = env as Record<string, unknown>;
  // An optional field the component leaves undefined is not in the environment at all (the step reads it as unset).
  return Object.fromEntries(
    Object.entries(contract.env).flatMap(([key, field]) =>
      values[key] === undefined && field.kind === "optionalText" ? [] : [[key, encode(field, values[key])]],
    ),
  );
}

export interface StepArgs<C extends AnyContract> {
  readonly env: EnvIn<C>;
  /** Any change replaces the resource and runs the step again. */
  readonly triggers?: pulumi.Input<unknown>[];
}

export interface Step<C extends AnyContract> {
  readonly command: command.local.Command;
  /** The record the step printed. */
  readonly output: pulumi.Output<StepOutput<C>>;
}

/** A command resource that runs a step with its settings, and the record the step printed. */
export function stepCommand<C extends AnyContract>(
  contract: C,
  name: string,
  args: StepArgs<C>,
  opts: pulumi.CustomResourceOptions,
): Step<C> {
  const cmd = localCommand(
    name,
    {
      create: stepRun(contract.name),
      dir: programRoot,
      environment: stepEnvironment(contract, args.env),
      triggers: args.triggers,
    },
    opts,
  );
  return { command: cmd, output: cmd.stdout.apply((out) => parseStepOutput<StepOutput<C>>(out)) };
}
