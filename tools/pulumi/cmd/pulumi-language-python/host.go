package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// bailExitCode is the exit code the exec script uses after it has shown the user an actionable
// message through the engine: the engine then stops without adding an error of its own.
const bailExitCode = 32

// host serves the engine's LanguageRuntime service. Methods it does not override (code generation,
// packing, plugins written in Python) answer Unimplemented, which the engine tolerates for update,
// preview, refresh, import and destroy.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	execScript string
	tracing    string

	mu            sync.Mutex
	engineAddress string
}

func newHost(execScript, engineAddress, tracing string) *host {
	return &host{execScript: execScript, engineAddress: engineAddress, tracing: tracing}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake records the engine's address; newer engines send it here rather than on the command line.
func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if address := req.GetEngineAddress(); address != "" {
		h.mu.Lock()
		h.engineAddress = address
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the version of the SDK module this host was built from.
func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: sdkVersion()}, nil
}

// GetRequiredPackages reports no plugin to install beforehand. Python dynamic providers are served
// by pulumi-resource-pulumi-python, which sits next to the CLI; a package that ships its own
// resource plugin has to be installed with `pulumi plugin install` before use.
func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// GetRequiredPlugins is the older form of GetRequiredPackages, kept for engines that still call it.
func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// Run executes the program once, as the engine asks (a preview when DryRun is set), and reports how
// it ended: nothing on success, Bail when the program already told the user what went wrong, and a
// one-line error otherwise.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := resolveToolchain(req.GetInfo())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env, err := runEnvironment(req)
	if err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, append([]string{"-u", h.execScript}, runArguments(req, h.engine(), h.tracing)...)...)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, env...)
	// The engine shows this process's output to the user, so the program's output goes straight there.
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return runResult(cmd.Run()), nil
}

// runResult maps how the program process ended onto the engine's RunResponse.
func runResult(err error) *pulumirpc.RunResponse {
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if exitErr.ExitCode() == bailExitCode {
			return &pulumirpc.RunResponse{Bail: true}
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())}
	}
	return &pulumirpc.RunResponse{Error: "Problem executing program (could not run language executor): " + err.Error()}
}

// runArguments builds the exec script's command line from the engine's request.
func runArguments(req *pulumirpc.RunRequest, engineAddress, tracing string) []string {
	var args []string
	add := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engineAddress)
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", tracing)
	add("organization", req.GetOrganization())
	add("root_directory", req.GetInfo().GetRootDirectory())

	program := req.GetInfo().GetEntryPoint()
	if program == "" {
		program = req.GetProgram() //nolint:staticcheck // older engines send only this field
	}
	if program == "" {
		program = "." // the program directory: runs its __main__.py
	}
	args = append(args, program)
	return append(args, req.GetArgs()...)
}

// runEnvironment passes the stack's configuration the way the SDK reads it: PULUMI_CONFIG holds a
// JSON object of every key, PULUMI_CONFIG_SECRET_KEYS a JSON list of the keys that are secrets.
func runEnvironment(req *pulumirpc.RunRequest) ([]string, error) {
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("serializing the configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing the secret configuration keys: %w", err)
	}
	return []string{"PULUMI_CONFIG=" + string(configJSON), "PULUMI_CONFIG_SECRET_KEYS=" + string(secretJSON)}, nil
}

// resolveToolchain picks the interpreter from Pulumi.yaml's runtime options: `toolchain` (pip, the
// default, poetry or uv) and `virtualenv` (relative to the project root). Without a virtualenv the
// toolchain runs PULUMI_PYTHON_CMD, or python3 from PATH.
func resolveToolchain(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	options := toolchain.PythonOptions{
		Root:       info.GetRootDirectory(),
		ProgramDir: info.GetProgramDirectory(),
		Toolchain:  toolchain.Pip,
	}
	if options.ProgramDir == "" {
		options.ProgramDir = options.Root
	}
	for name, value := range info.GetOptions().AsMap() {
		text, ok := value.(string)
		if !ok {
			return nil, fmt.Errorf("runtime option %q in Pulumi.yaml must be a string", name)
		}
		switch name {
		case "virtualenv":
			options.Virtualenv = text
		case "toolchain":
			switch strings.ToLower(text) {
			case "pip":
				options.Toolchain = toolchain.Pip
			case "poetry":
				options.Toolchain = toolchain.Poetry
			case "uv":
				options.Toolchain = toolchain.Uv
			default:
				return nil, fmt.Errorf("runtime option toolchain in Pulumi.yaml is %q; allowed values: pip, poetry, uv", text)
			}
		case "typechecker":
			return nil, errors.New("runtime option typechecker in Pulumi.yaml is not supported by this language host; " +
				"run mypy or pyright before `pulumi up`")
		}
	}
	return toolchain.ResolveToolchain(options)
}

// InstallDependencies makes the virtualenv and installs requirements.txt (or the poetry/uv
// project), streaming the tools' output to the engine: this is `pulumi install`.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	info := req.GetInfo()
	if info == nil {
		info = &pulumirpc.ProgramInfo{RootDirectory: req.GetDirectory(), ProgramDirectory: req.GetDirectory()} //nolint:staticcheck
	}
	tc, err := resolveToolchain(info)
	if err != nil {
		return err
	}
	out := &streamWriter{server: server}
	stdout, stderr := out.half(false), out.half(true)
	return tc.InstallDependencies(server.Context(), info.GetProgramDirectory(), req.GetUseLanguageVersionTools(),
		true /*showOutput*/, stdout, stderr)
}

// About describes the interpreter a program would run with (shown by `pulumi about`).
func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := resolveToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	about, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: about.PythonExecutable, Version: about.PythonVersion.String()}, nil
}

// GetProgramDependencies lists the packages installed for the program (`pulumi about`).
func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := resolveToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	packages, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	result := make([]*pulumirpc.DependencyInfo, len(packages))
	for i, p := range packages {
		result[i] = &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: result}, nil
}

// RuntimeOptionsPrompts asks nothing: `pulumi new` keeps the template's runtime options.
func (h *host) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// streamWriter sends the install tools' stdout and stderr to the engine, one message per write; a
// gRPC stream takes one Send at a time.
type streamWriter struct {
	mu     sync.Mutex
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]
}

type streamHalf struct {
	stream *streamWriter
	stderr bool
}

func (s *streamWriter) half(stderr bool) io.Writer { return streamHalf{stream: s, stderr: stderr} }

func (w streamHalf) Write(p []byte) (int, error) {
	data := append([]byte(nil), p...)
	message := &pulumirpc.InstallDependenciesResponse{Stdout: data}
	if w.stderr {
		message = &pulumirpc.InstallDependenciesResponse{Stderr: data}
	}
	w.stream.mu.Lock()
	defer w.stream.mu.Unlock()
	if err := w.stream.server.Send(message); err != nil {
		return 0, err
	}
	return len(p), nil
}

// sdkVersion is the sdk/v3 module version this binary was built with, without its "v".
func sdkVersion() string {
	if build, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range build.Deps {
			if dep.Path == "github.com/pulumi/pulumi/sdk/v3" {
				return strings.TrimPrefix(dep.Version, "v")
			}
		}
	}
	return ""
}
