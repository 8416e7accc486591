// Polling for the state integration tests wait on: a rollout, a release, a fault taking effect.
/** Polls until `check` returns a value, or fails after `timeoutMs` with the last error. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(
    `${what}: not true after ${timeoutMs / 1000}s${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ""}`,
  );
}
