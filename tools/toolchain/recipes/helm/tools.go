//go:build tools

// Package tools pins the upstream Helm CLI for the offline toolchain build.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
