// Checks of promotion that need the resolved ref and the stack's own name: only tag releases promote, never from themselves.
import { q } from "./format";

/** Where the program runs: the checks that need the resolved release mode and the stack's own name. */
export interface PromotionContext {
  readonly mode: "tag" | "branch";
  readonly ref: string;
  readonly organization: string;
  readonly project: string;
  readonly stack: string;
}

/**
 * Problems of `promoteFrom` that show only once the ref is resolved (mode auto): promotion makes tag releases, and a stack
 * cannot promote from itself. Empty when promoteFrom is unset or fine.
 */
export function promotionProblems(promoteFrom: string | undefined, ctx: PromotionContext): string[] {
  if (promoteFrom === undefined) return [];
  const problems: string[] = [];
  if (ctx.mode !== "tag")
    problems.push(
      `promoteFrom ${q(promoteFrom)} is set, but ref ${q(ctx.ref)} is a branch build; promotion publishes tag releases only — release a v<major>.<minor>.<patch> tag, or unset splai-release:promoteFrom`,
    );
  const parts = promoteFrom.split("/");
  const self =
    parts[parts.length - 1] === ctx.stack &&
    (parts.length === 1 || parts[0] === ctx.organization) &&
    (parts.length < 3 || parts[1] === ctx.project);
  if (self)
    problems.push(
      `promoteFrom ${q(promoteFrom)} names this stack itself; set it to the dev stack whose build is released, for example organization/${ctx.project}/dev`,
    );
  return problems;
}
