// Registers a buildx "remote" builder for given BuildKit endpoints, so a team can build on remote or native-arm64 nodes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export function buildxConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BUILDX_CONFIG ?? join(env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "buildx");
}

/** Writes (only when different) the builder instance `name` with one node per endpoint; returns the builder name. */
export function ensureRemoteBuilder(
  name: string,
  endpoints: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): string {
  const dir = join(buildxConfigDir(env), "instances");
  const file = join(dir, name);
  const group = {
    Name: name,
    Driver: "remote",
    Nodes: endpoints.map((e, i) => ({
      Name: `${name}${i}`,
      Endpoint: e,
      Platforms: null,
      DriverOpts: {},
      Flags: null,
      Files: null,
    })),
    Dynamic: false,
  };
  const text = JSON.stringify(group);
  let current = "";
  try {
    current = readFileSync(file, "utf8");
  } catch {
    /* first time */
  }
  if (current !== text) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text, { mode: 0o600 });
  }
  return name;
}

/** The BuildKit address of a buildx builder's first node (as buildctl takes it), or undefined when the builder is unknown. */
export function builderEndpoint(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    const group = JSON.parse(readFileSync(join(buildxConfigDir(env), "instances", name), "utf8")) as {
      Nodes?: { Endpoint?: string }[];
    };
    const endpoint = group.Nodes?.[0]?.Endpoint;
    return endpoint === undefined || endpoint === "" ? undefined : endpoint;
  } catch {
    return undefined;
  }
}
