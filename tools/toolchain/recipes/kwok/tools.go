//go:build tools

// Package tools pins the upstream kwok controller (fake nodes and pods) for the offline toolchain build.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
