//go:build tools

// Package tools pins the Pulumi CLI as a Go module requirement ("tools as dependencies"), so that
// `go install github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` inside this module builds exactly the
// version in go.mod. scripts/pulumi-cli runs that install; nothing imports this file.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
