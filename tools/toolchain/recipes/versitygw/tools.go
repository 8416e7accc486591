//go:build tools

// Package tools pins the upstream Versity S3 gateway for the offline toolchain build.
package tools

import (
	_ "github.com/versity/versitygw/cmd/versitygw"
)
