//go:build tools

// Package tools pins the upstream GoReleaser CLI (its main package is the module root) for the offline toolchain build.
package tools

import (
	_ "github.com/goreleaser/goreleaser/v2"
)
