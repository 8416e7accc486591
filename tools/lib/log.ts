// Progress output for long work: what runs, its step and elapsed time, on stderr.
const started = Date.now();

export function elapsed(since: number = started): string {
  const s = Math.round((Date.now() - since) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export function info(scope: string, message: string): void {
  process.stderr.write(`[${elapsed()}] ${scope}: ${message}\n`);
}

/** An error whose message is meant for the user as is: no stack trace. */
export class UserError extends Error {}

/** Runs main, printing UserErrors plainly and exiting non-zero on failure. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof UserError) {
      process.stderr.write(`error: ${err.message}\n`);
    } else {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    process.exit(1);
  });
}
