//go:build tools

// Package tools pins the upstream etcd server (and etcdctl) for the offline toolchain build.
package tools

import (
	_ "go.etcd.io/etcd/etcdctl/v3"
	_ "go.etcd.io/etcd/server/v3"
)
