//go:build tools

// Package tools pins rhysd/actionlint, the linter the CI workflows under ci/github/ must pass.
package tools

import (
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
