//go:build tools

// Package tools pins upstream BuildKit (buildkitd daemon and buildctl client) for the offline toolchain build.
package tools

import (
	_ "github.com/moby/buildkit/cmd/buildctl"
	_ "github.com/moby/buildkit/cmd/buildkitd"
)
