// The typed contract between a component and the step its command resource runs: name, environment fields, output record.
import type * as pulumi from "@pulumi/pulumi";

/** How a value is written into a command's environment (the program side, which alone loads @pulumi/pulumi, does it). */
export type FieldKind = "text" | "optionalText" | "secret" | "flag" | "integer" | "json";

/**
 * One environment variable of a step: the component encodes a program value of type `In` into the command's
 * environment (an input of the resource, so also what a preview shows); the step decodes it from `process.env` as `Out`.
 */
export interface Field<In, Out> {
  readonly kind: FieldKind;
  /** Step side, and the release plan reading a preview: the value back from the environment. */
  readonly decode: (raw: string | undefined, key: string) => Out;
  /** Never called: carries the program-side type. */
  readonly input?: (v: In) => In;
}

// The Field<any, any> bound lets a contract hold fields of every type; the mapped types below recover each one.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyField = Field<any, any>;

export interface StepContract<E extends Readonly<Record<string, AnyField>>, O> {
  /** The stable name a command runs it by: `node step.js <name>` (files may move, names stay). */
  readonly name: string;
  readonly env: E;
  /** Never called: carries the type of the JSON record the step prints as the last line of stdout. */
  readonly output: (o: O) => O;
}

/** Declares a step. `O` is the record the step prints; `env` lists every variable both sides use. */
export function stepContract<O>() {
  return <E extends Readonly<Record<string, AnyField>>>(name: string, env: E): StepContract<E, O> => ({
    name,
    env,
    output: (o) => o,
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyContract = StepContract<Readonly<Record<string, AnyField>>, any>;

type InOf<F> = F extends { readonly input?: (v: infer I) => unknown } ? I : never;
type OutOf<F> = F extends { readonly decode: (raw: string | undefined, key: string) => infer O } ? O : never;
type OptionalKeys<E> = { [K in keyof E]: undefined extends InOf<E[K]> ? K : never }[keyof E];
type RequiredKeys<E> = Exclude<keyof E, OptionalKeys<E>>;

/** What a component passes: every field, optional ones (those that accept undefined) may be left out. */
export type EnvIn<C extends AnyContract> = { readonly [K in RequiredKeys<C["env"]>]: InOf<C["env"][K]> } & {
  readonly [K in OptionalKeys<C["env"]>]?: InOf<C["env"][K]>;
};
/** What the step reads: every field, decoded. */
export type EnvOut<C extends AnyContract> = { readonly [K in keyof C["env"]]: OutOf<C["env"][K]> };
/** The record the step prints. */
export type StepOutput<C extends AnyContract> = C["output"] extends (o: infer O) => unknown ? O : never;

const required = (raw: string | undefined, key: string): string => {
  if (raw === undefined || raw === "") throw new Error(`${key} is not set`);
  return raw;
};

/** A required string. */
export const text: Field<pulumi.Input<string>, string> = { kind: "text", decode: required };

/** An optional string: left out of the environment when undefined, "" when the component says "none" explicitly. */
export const optionalText: Field<pulumi.Input<string | undefined> | undefined, string | undefined> = {
  kind: "optionalText",
  decode: (raw) => (raw === undefined || raw === "" ? undefined : raw),
};

/** A credential: secret in the state and in the engine's events, never shown by a plan. */
export const secret: Field<pulumi.Input<string>, string> = { kind: "secret", decode: required };

/** A credential that may be empty (a kubeconfig document, or "" for the ambient one). */
export const optionalSecret: Field<pulumi.Input<string>, string> = { kind: "secret", decode: (raw) => raw ?? "" };

/** A boolean, as "true"/"false"; unset reads as false. */
export const flag: Field<boolean, boolean> = { kind: "flag", decode: (raw) => raw === "true" };

/** A whole number. */
export const integer: Field<pulumi.Input<number>, number> = {
  kind: "integer",
  decode: (raw, key) => {
    const n = Number(required(raw, key));
    if (!Number.isInteger(n)) throw new Error(`${key} '${raw}' is not a whole number`);
    return n;
  },
};

/** Any JSON value of type T. */
export function json<T>(): Field<pulumi.Input<T>, T> {
  return { kind: "json", decode: (raw, key) => JSON.parse(required(raw, key)) as T };
}

/** The record a step printed: the JSON of the last line of its stdout (steps log to stderr). */
export function parseStepOutput<T>(stdout: string): T {
  const last = stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`the step printed no JSON record as its last line of output: '${last.slice(0, 200)}'`);
  }
}

/** The record a step printed, or undefined when there is none yet (a preview of a step that has not run). */
export function tryParseStepOutput<T>(stdout: unknown): T | undefined {
  if (typeof stdout !== "string" || stdout.trim() === "") return undefined;
  try {
    return parseStepOutput<T>(stdout);
  } catch {
    return undefined;
  }
}
