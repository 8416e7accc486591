// Unit tests of one component under Pulumi mocks: a recording monitor that throws on anything it was not told about,
// resources found by type and name, parents and options seen through a stack transformation, and Output values awaited.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

export interface Recorded {
  readonly type: string;
  readonly name: string;
  /** Inputs as the engine receives them: secrets wrapped in the SDK's secret signature. */
  readonly inputs: Record<string, unknown>;
}

export type ResourceOptions = pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;

/** Extra output properties a mocked provider returns for a resource, or undefined when the test knows no such resource. */
export type MockOutputs = (r: {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}) => Record<string, unknown> | undefined;

/** Types whose mock needs no outputs of its own (the inputs come back as the state). */
const PLAIN = new Set(["pulumi:pulumi:Stack"]);

export class MockMonitor {
  readonly resources: Recorded[] = [];
  /** Options each resource was constructed with (parent, dependsOn, retainOnDelete…), by `type::name`. */
  readonly options = new Map<string, ResourceOptions>();

  constructor(private readonly outputs: MockOutputs) {}

  readonly mocks: pulumi.runtime.Mocks = {
    newResource: (args) => {
      const inputs = args.inputs as Record<string, unknown>;
      const r: Recorded = { type: args.type, name: args.name, inputs };
      this.resources.push(r);
      const extra = this.outputs({ type: args.type, name: args.name, inputs });
      if (
        extra === undefined &&
        !PLAIN.has(args.type) &&
        !args.type.startsWith("splai:") &&
        !args.type.startsWith("pulumi:providers:")
      )
        throw new Error(`unmocked resource ${args.type} '${args.name}'`);
      return { id: `${args.name}-id`, state: { ...inputs, ...(extra ?? {}) } };
    },
    call: (args) => {
      throw new Error(`unmocked call ${args.token}`);
    },
  };

  /** The one resource of this type and name; fails listing what there is. */
  find(type: string, name: string): Recorded {
    const r = this.resources.find((x) => x.type === type && x.name === name);
    if (r === undefined)
      throw new Error(
        `no ${type} '${name}'; registered: ${this.resources.map((x) => `${x.type} '${x.name}'`).join(", ")}`,
      );
    return r;
  }

  ofType(type: string): Recorded[] {
    return this.resources.filter((x) => x.type === type);
  }

  /** The options a resource was constructed with. */
  optionsOf(r: { type: string; name: string }): ResourceOptions {
    return this.options.get(`${r.type}::${r.name}`) ?? {};
  }
}

/**
 * Installs the mocks and runs `build` inside a stack, recording every resource's options through a stack transformation.
 * One component per test file: node's runner gives each file its own process, so mocks never leak between files.
 */
export async function withMocks<T>(
  outputs: MockOutputs,
  build: () => T | Promise<T>,
  config: Record<string, string> = {},
): Promise<{ monitor: MockMonitor; value: T }> {
  const monitor = new MockMonitor(outputs);
  pulumi.runtime.setAllConfig(config);
  await pulumi.runtime.setMocks(monitor.mocks, "splai-release", "test", false, "organization");
  let value: T | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      monitor.options.set(`${args.type}::${args.name}`, args.opts);
      return undefined;
    });
    value = await build();
  });
  return { monitor, value: value as T };
}

/** Awaits an Output's value in a test. */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

const SIG = pulumi.runtime.specialSigKey;
const SECRET = pulumi.runtime.specialSecretSig;

/** A value as the engine received it, secret wrapping removed. */
export function unsecret<T>(v: unknown): T {
  const o = v as Record<string, unknown> | null;
  return (o !== null && typeof o === "object" && o[SIG] === SECRET ? o.value : v) as T;
}

/** Whether the engine received `v` as a secret. */
export const isSecret = (v: unknown): boolean =>
  v !== null && typeof v === "object" && (v as Record<string, unknown>)[SIG] === SECRET;

/** Whether `plain` occurs anywhere in `v` outside a secret (a leak into the state). */
export function inPlaintext(v: unknown, plain: string): boolean {
  if (typeof v === "string") return v.includes(plain);
  if (v === null || typeof v !== "object" || isSecret(v)) return false;
  return Object.values(v).some((x) => inPlaintext(x, plain));
}

/**
 * Collects the process's unhandled rejections instead of letting the test runner fail on them: an error thrown inside a
 * component's Output reaches the program only that way (a real update fails with it). Call `restore` in `after`.
 */
export function collectRejections(): {
  readonly errors: unknown[];
  /** Waits until at least one rejection arrived (at most `ms`), and returns them all. */
  readonly first: (ms?: number) => Promise<unknown[]>;
  readonly restore: () => void;
} {
  const runner = process.listeners("unhandledRejection");
  const errors: unknown[] = [];
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", (e) => errors.push(e));
  return {
    errors,
    first: async (ms = 5000) => {
      for (const end = Date.now() + ms; errors.length === 0 && Date.now() < end;)
        await new Promise((r) => setTimeout(r, 20));
      return errors;
    },
    restore: () => {
      process.removeAllListeners("unhandledRejection");
      for (const l of runner) process.on("unhandledRejection", l);
    },
  };
}

/** What a whole-program test fakes beyond the defaults every one of them shares. */
export interface ProgramFakes {
  /** Each resource as the engine registers it. */
  record(r: Recorded & { urn: string }): void;
  /** A command's stdout (what its step prints). */
  stdout(args: { name: string; inputs: Record<string, unknown> }): string;
  /** Outputs of other types this test knows (a StackReference, an Index…); undefined: the default below. */
  outputs?(args: { type: string; name: string; inputs: Record<string, unknown> }): Record<string, unknown> | undefined;
  /** Types that need no outputs in this test, beyond the stack, namespace and providers. */
  plain?: string[];
}

const PROGRAM_PLAIN = [
  "pulumi:pulumi:Stack",
  "kubernetes:core/v1:Namespace",
  "pulumi:providers:kubernetes",
  "pulumi:providers:github",
];

/**
 * Mocks for the whole program: the providers' outputs (image digests, the GitHub release, the Helm status, an empty
 * record of the stack's last update), a test's own command outputs, and an error for any type nobody mocked.
 */
export function programMocks(f: ProgramFakes): pulumi.runtime.Mocks {
  const plain = new Set([...PROGRAM_PLAIN, ...(f.plain ?? [])]);
  return {
    newResource(args) {
      const inputs = args.inputs as Record<string, unknown>;
      f.record({
        type: args.type,
        name: args.name,
        inputs,
        urn: `urn:pulumi:test::splai-release::${args.type}::${args.name}`,
      });
      const state: Record<string, unknown> = { ...inputs };
      const own = f.outputs?.({ type: args.type, name: args.name, inputs });
      if (own !== undefined) return { id: `${args.name}-id`, state: { ...state, ...own } };
      switch (args.type) {
        case "command:local:Command":
          state.stdout = f.stdout({ name: args.name, inputs });
          break;
        case "docker-build:index:Image":
          state.digest = `sha256:${createHash("sha256").update(args.name).digest("hex")}`;
          break;
        case "github:index/release:Release":
          state.releaseId = 101;
          state.htmlUrl = "https://github.com/splai/splai/releases/tag/x";
          break;
        case "kubernetes:helm.sh/v3:Release":
          state.status = { status: "deployed", revision: 1 };
          break;
        case "pulumi:pulumi:StackReference":
          // The stack's own record of its last update: a new stack has none.
          state.outputs = {};
          state.secretOutputNames = [];
          break;
        default:
          if (!plain.has(args.type) && !args.type.startsWith("splai:"))
            throw new Error(`unmocked resource type ${args.type}`);
      }
      return { id: `${args.name}-id`, state };
    },
    call(args) {
      throw new Error(`unmocked call ${args.token}`);
    },
  };
}
