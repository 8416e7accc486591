#!/usr/bin/env bash
# Installs the Node.js language host and the dynamic-provider launcher: no Go build, the host is plain Node.js.
set -euo pipefail
: "${OUT:?}" "${VERSION:?}"
echo "step: install host.js"
cp host.js "$OUT/host.js"
# The launchers pin the host version and find node on PATH, as the engine starts them.
cat > "$OUT/pulumi-language-nodejs" <<SH
#!/bin/sh
SPLAI_NODEJS_HOST_VERSION='${VERSION}' exec node "\$(dirname "\$(readlink -f "\$0")")/host.js" "\$@"
SH
# The engine runs dynamic providers (pulumi.dynamic.Resource) through this plugin, from the program's directory.
cat > "$OUT/pulumi-resource-pulumi-nodejs" <<'SH'
#!/bin/sh
provider=$(node -p 'require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [process.cwd()] })') || exit 1
exec node "$provider" "$@"
SH
chmod +x "$OUT/pulumi-language-nodejs" "$OUT/pulumi-resource-pulumi-nodejs"
