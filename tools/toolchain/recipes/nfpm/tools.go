//go:build tools

// Package tools pins the upstream nFPM packager for the offline toolchain build.
package tools

import (
	_ "github.com/goreleaser/nfpm/v2/cmd/nfpm"
)
