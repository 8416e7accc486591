//go:build tools

// Package tools pins the Pulumi CLI main package so that `go mod tidy` records
// its full dependency graph in go.sum. build.sh builds it with `go build`.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
