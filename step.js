// The one entry every step resource runs: `node --use-openssl-ca step.js <name>` from the program's root. Names are
// stable (steps.ts maps them to modules), so moving a step's file never changes a command in the stack's state.
require("./ts-loader").register();
require("./steps.ts").runStep(process.argv[2]);
