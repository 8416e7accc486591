// The entry the engine's nodejs host runs for the policy pack: index.ts through tsx, like the program's own entry.
require("tsx/cjs");
module.exports = require("./index.ts");
