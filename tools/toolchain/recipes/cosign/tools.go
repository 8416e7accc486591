//go:build tools

// Package tools pins the upstream Sigstore cosign CLI for the offline toolchain build.
package tools

import (
	_ "github.com/sigstore/cosign/v2/cmd/cosign"
)
