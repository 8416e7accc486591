// The Node SDK's debug lines that print whole RPC messages (`RegisterResource RPC finished: …, resp: …`) carry every
// output of the resource, secrets in plaintext inside their envelope; the engine keeps debug lines in its event
// stream (`--event-log`, the Automation API's onEvent, Pulumi Cloud's update log). Measured here: the GitHub token
// appeared in the events of every `up` through the github provider's and the asset step's responses
// (test/integration/faults.test.ts, "no plaintext secret"). Those lines are dropped; every other debug line stays.
// The CommonJS module object itself, which the SDK's runtime modules share (an ES namespace would be read-only).

const log = require("@pulumi/pulumi/log") as typeof import("@pulumi/pulumi/log");

const RPC_DUMP =
  /^(?:getResource Invoke|Invoke|Call|ReadResource|RegisterResource|RegisterResourceOutputs) RPC (?:finished|prepared)/;

let installed = false;

/** Drops the SDK's RPC dumps from the debug log; idempotent. */
export function dropRpcDebugDumps(): void {
  if (installed) return;
  installed = true;
  const debug = log.debug;
  log.debug = (msg, ...rest) => (RPC_DUMP.test(String(msg)) ? Promise.resolve() : debug(msg, ...rest));
}

/** Whether a debug message is one of the dumps (exported for its test). */
export const isRpcDump = (msg: string): boolean => RPC_DUMP.test(msg);
