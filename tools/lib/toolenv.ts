// The environment every script hands to pulumi, helm and friends: pinned tools first on PATH, no plugin downloads.
import { pulumiHome, toolBinDir } from "./paths";

export function toolEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${toolBinDir}:${process.env.PATH ?? ""}`,
    PULUMI_HOME: pulumiHome,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "false",
    ...extra,
  };
}
