// Shared scaffolding of the scripts the release components run: settings from the environment, one clear error line on failure.
export function requireEnv(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") throw new Error(`${name} is not set`);
  return v;
}

/** An optional setting: unset and empty (how components pass "none") both read as undefined. */
export function optionalEnv(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : v;
}

/** Runs a component script; a failure prints only its message (the engine shows it) and exits 1. */
export function runScript(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
