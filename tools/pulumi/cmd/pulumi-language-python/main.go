// Command pulumi-language-python is the Python language host the Pulumi engine starts to run a
// Python program: it serves the engine's LanguageRuntime gRPC service and runs each program through
// the SDK's `pulumi-language-python-exec` script, with the interpreter that Pulumi.yaml's runtime
// options (`virtualenv`, `toolchain`) or PULUMI_PYTHON_CMD select.
//
// Pulumi publishes its own host as a separate Go module; this one is built from the sdk/v3 module
// alone (its protocol stubs and Python toolchain helpers), at the version pinned in go.mod.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// execSuffix names the exec script after this binary, as the engine's packaging does:
// pulumi-language-python -> pulumi-language-python-exec, in the same directory.
const execSuffix = "-exec"

func main() {
	// The engine passes --logtostderr, -v=N (registered by the logging package) and --tracing.
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint (accepted, not used)")
	executor := flag.String("use-executor", "", "the exec script to run programs with (default: next to this binary)")
	flag.Parse()
	logging.InitLogging(false, 0, false)

	execScript := *executor
	if execScript == "" {
		self, err := os.Executable()
		if err != nil {
			fail("cannot locate this executable: %v", err)
		}
		execScript = filepath.Join(filepath.Dir(self), filepath.Base(self)+execSuffix)
	}
	if _, err := os.Stat(execScript); err != nil {
		fail("the exec script %s is missing (scripts/pulumi-cli installs it next to this binary): %v",
			execScript, err)
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}
	server := newHost(execScript, engineAddress, *tracing)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, server)
			return nil
		},
	})
	if err != nil {
		fail("could not start the language host's gRPC server: %v", err)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail("the language host stopped serving: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python: "+format+"\n", args...)
	os.Exit(1)
}
