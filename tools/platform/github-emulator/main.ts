// The GitHub emulator as a process of its own (the platform's github-emulator service): flags in, serves until SIGTERM.
import { startGitHubEmulator, type EmulatorOwner, type EmulatorToken } from "./server";

interface CliArgs {
  port: number;
  stateDir: string;
  tokens: EmulatorToken[];
  repos: string[];
  owners: EmulatorOwner[];
  /** true: every --repo; a list: those repos. */
  immutableReleases: boolean | string[];
}

function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliArgs {
  const args: CliArgs = {
    port: 0,
    stateDir: "",
    tokens: [],
    repos: [],
    owners: [],
    immutableReleases: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--port":
        args.port = Number(value());
        if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
          throw new Error("--port must be 0..65535");
        break;
      case "--state":
        args.stateDir = value();
        break;
      case "--token":
        args.tokens.push({ value: value() });
        break;
      case "--read-only-token":
        args.tokens.push({ value: value(), readOnly: true });
        break;
      case "--repo":
        args.repos.push(value());
        break;
      case "--immutable-releases": {
        // Bare, it turns the setting on for every --repo; with owner/name, for that repo (repeatable).
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("--")) args.immutableReleases = true;
        else if (args.immutableReleases !== true) {
          i++;
          args.immutableReleases = [...(args.immutableReleases === false ? [] : args.immutableReleases), next];
        } else i++;
        break;
      }
      case "--owner": {
        const [login, type] = value().split(":");
        if (login === undefined || (type !== "User" && type !== "Organization"))
          throw new Error("--owner takes login:User or login:Organization");
        args.owners.push({ login, type });
        break;
      }
      default:
        throw new Error(`unknown argument ${flag ?? ""}`);
    }
  }
  // Tokens from the environment keep secrets out of `ps` output.
  const envToken = env.GITHUB_EMULATOR_TOKEN;
  if (envToken !== undefined && envToken !== "") args.tokens.push({ value: envToken });
  const envReadOnly = env.GITHUB_EMULATOR_READONLY_TOKEN;
  if (envReadOnly !== undefined && envReadOnly !== "") args.tokens.push({ value: envReadOnly, readOnly: true });
  if (args.stateDir === "") throw new Error("--state DIR is required");
  if (args.tokens.length === 0) throw new Error("a token is required (--token or GITHUB_EMULATOR_TOKEN)");
  return args;
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`github-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.stderr.write(
      "usage: github-emulator --state DIR [--port N] [--token T]... [--read-only-token T]... [--repo owner/name]... [--owner login:User|Organization]... [--immutable-releases [owner/name]]...\n",
    );
    process.exit(2);
  }
  const emulator = await startGitHubEmulator({
    port: args.port,
    stateDir: args.stateDir,
    tokens: args.tokens,
    repos: args.repos,
    owners: args.owners,
    immutableReleases: args.immutableReleases,
  });
  process.stdout.write(`listening on http://127.0.0.1:${emulator.port}\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`github-emulator: ${signal}, shutting down\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`github-emulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
