//go:build tools

// Package tools pins the upstream kubelet for the optional real node of the local platform.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kubelet"
)
