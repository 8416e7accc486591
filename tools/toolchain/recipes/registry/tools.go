//go:build tools

// Package tools pins the upstream CNCF Distribution registry for the offline toolchain build.
package tools

import (
	_ "github.com/distribution/distribution/v3/cmd/registry"
)
