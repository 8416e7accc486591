//go:build tools

// Package tools pins the Pulumi Kubernetes provider plugin for the offline toolchain.
// build.sh builds the main package below from a generated copy of the module
// (see build.sh); this file only keeps the requirement in go.mod / go.sum.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes"
)
