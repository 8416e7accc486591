//go:build tools

// Package tools pins the upstream pulumi-docker-build provider plugin for the offline toolchain build.
package tools

import (
	_ "github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build"
)
