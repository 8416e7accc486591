// Step side: reads a step's settings from the environment by its contract, runs it, and prints its record or one clear error line.
import type { AnyContract, EnvOut, StepOutput } from "./contract";

/** A step ready to run: what `step.js <name>` calls. */
export type StepMain = () => Promise<void>;

/** Decodes every field of the contract from `env`; a missing required one fails naming it. */
export function readStepEnv<C extends AnyContract>(contract: C, env: NodeJS.ProcessEnv = process.env): EnvOut<C> {
  return Object.fromEntries(
    Object.entries(contract.env).map(([key, field]) => [key, field.decode(env[key], key)]),
  ) as EnvOut<C>;
}

/**
 * Defines a step: `main` gets the decoded settings and returns the record, printed as the last line of stdout (its
 * logging goes to stderr, which the engine shows).
 */
export function defineStep<C extends AnyContract>(
  contract: C,
  main: (env: EnvOut<C>) => Promise<StepOutput<C>>,
): StepMain {
  return async () => {
    const record = await main(readStepEnv(contract));
    process.stdout.write(`${JSON.stringify(record)}\n`);
  };
}

/** Runs a step; a failure prints only its message (the engine shows it) and exits 1. */
export function runStepMain(main: StepMain): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
