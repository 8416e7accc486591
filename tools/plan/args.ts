// Command line of `npm run plan`: parsed into a typed value, every mistake named with the fix.

export interface PlanArgs {
  readonly stack: string;
  /** The splai-release program directory; default: this checkout. */
  readonly dir?: string;
  /** Where `<stack>.md`, `<stack>.json` and the update plan go; default `.state/plans`. */
  readonly out?: string;
  /** Save the engine's update plan next to the release plan. */
  readonly savePlan: boolean;
  /** Plan this ref instead of CI's or git's (passed to the program as SPLAI_RELEASE_REF). */
  readonly ref?: string;
  /** Plan the tag the source tree would be released as next. */
  readonly nextTag: boolean;
  readonly maxChars?: number;
  /** Instead of planning, `up` exactly this saved update plan. */
  readonly apply?: string;
}

export const PLAN_USAGE = `usage: npm run plan -- --stack <name> [--out <dir>] [--save-plan] [--ref <tag|branch> | --next-tag] [--max-chars <n>] [--dir <program>]
       npm run plan -- --stack <name> --apply <update-plan.json> [--dir <program>]`;

export class PlanArgsError extends Error {
  constructor(problem: string) {
    super(`${problem}\n${PLAN_USAGE}`);
  }
}

const VALUED = new Set(["--stack", "--dir", "--out", "--ref", "--max-chars", "--apply"]);
const FLAGS = new Set(["--save-plan", "--next-tag"]);

export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.indexOf("=");
    const name = raw.startsWith("--") && eq > 0 ? raw.slice(0, eq) : raw;
    if (FLAGS.has(name)) {
      flags.add(name);
    } else if (VALUED.has(name)) {
      const value = eq > 0 && raw.startsWith("--") ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "" || (eq < 0 && value.startsWith("--")))
        throw new PlanArgsError(`${name} needs a value`);
      values.set(name, value);
    } else {
      throw new PlanArgsError(`unknown argument '${raw}'`);
    }
  }
  const stack = values.get("--stack");
  if (stack === undefined) throw new PlanArgsError("--stack is required");
  const maxRaw = values.get("--max-chars");
  const maxChars = maxRaw === undefined ? undefined : Number(maxRaw);
  if (maxChars !== undefined && (!Number.isInteger(maxChars) || maxChars < 1000))
    throw new PlanArgsError(`--max-chars '${maxRaw}' must be an integer of at least 1000`);
  const ref = values.get("--ref");
  const nextTag = flags.has("--next-tag");
  if (ref !== undefined && nextTag)
    throw new PlanArgsError("--ref and --next-tag both choose the ref; give one of them");
  const apply = values.get("--apply");
  if (apply !== undefined && (ref !== undefined || nextTag || flags.has("--save-plan"))) {
    throw new PlanArgsError(
      "--apply runs the saved plan as it is; --ref, --next-tag and --save-plan belong to the planning run",
    );
  }
  return {
    stack,
    dir: values.get("--dir"),
    out: values.get("--out"),
    savePlan: flags.has("--save-plan"),
    ref,
    nextTag,
    maxChars,
    apply,
  };
}
