package clipmodel

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // the pure-Go backend, available everywhere

	"github.com/gowiseft/wiseft/internal/fastgrad"
)

// InstallFastGradients makes every GoMLX graph differentiated from now on in this process use matrix-product
// gradients for Dot and DotGeneral instead of GoMLX v0.26's broadcast-and-reduce ones (see the package
// documentation). It is idempotent and safe for concurrent use; graphs built before it keep their gradients.
func InstallFastGradients() { fastgrad.Install() }

// UseStockGradients puts GoMLX's own Dot and DotGeneral gradients back for graphs built from now on and returns a
// function that re-installs the fast ones (for comparisons).
func UseStockGradients() (restore func()) { return fastgrad.UseStock() }

// DefaultCPUBackend is the backend configuration used when GOMLX_BACKEND is not set: SimpleGo with its
// operations run one after another. SimpleGo's default scheduling deadlocked on 2-core machines in training
// steps (its parallel DotGenerals wait on a worker pool sized from the CPU count); sequential op scheduling still
// parallelises inside each large matrix product.
const DefaultCPUBackend = "go:ops_sequential"

var (
	backendOnce sync.Once
	backend     backends.Backend
	backendErr  error
)

// Backend returns the process-wide GoMLX backend: the one GOMLX_BACKEND names ("go", "xla:cuda", "xla:cpu", ...,
// see GoMLX's documentation), or DefaultCPUBackend when it is unset or empty. The XLA backend is compiled in unless
// the build uses the noxla tag or has cgo off; it loads a PJRT plugin found through PJRT_PLUGIN_LIBRARY_PATH and
// never downloads one unless WISEFT_XLA_AUTO_INSTALL is set.
func Backend() (backends.Backend, error) {
	backendOnce.Do(func() {
		config := os.Getenv(backends.ConfigEnvVar)
		if config == "" {
			config = DefaultCPUBackend
		}
		backend, backendErr = newBackend(config)
	})
	return backend, backendErr
}

// simpleGoSequential reports whether SimpleGo's options (the part of GOMLX_BACKEND after "go:") end up running
// operations sequentially: the last of ops_sequential and ops_parallel wins, as SimpleGo reads them.
func simpleGoSequential(opts string) bool {
	seq := false
	for _, o := range strings.Split(opts, ",") {
		switch strings.TrimSpace(o) {
		case "ops_sequential":
			seq = true
		case "ops_parallel":
			seq = false
		}
	}
	return seq
}

// CheckBackendConfig refuses, without creating anything, a backend configuration this project cannot use: the
// SimpleGo modes that deadlock, and XLA in a binary built without it.
func CheckBackendConfig(config string) error {
	name, opts, _ := strings.Cut(config, ":")
	if name == "go" && !simpleGoSequential(opts) {
		return fmt.Errorf("GOMLX_BACKEND=%s: SimpleGo's parallel scheduling of operations (what \"go\" does by "+
			"default, and ops_parallel) deadlocks in GoMLX v0.26: operations hold the worker pool that their own matrix "+
			"products wait for (training stalls at its first step on 2 cores); use GOMLX_BACKEND=%s, the default when "+
			"it is unset, which still runs each large matrix product on every core", quote(config), DefaultCPUBackend)
	}
	if !xlaCompiledIn && (name == "xla" || name == "stablehlo" || name == "hlo" || name == "shlo") {
		return fmt.Errorf("GoMLX backend %q: this binary was built without the XLA backend (the noxla tag, or CGO_ENABLED=0)", config)
	}
	return nil
}

func newBackend(config string) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("GoMLX backend %q: %v (compiled-in backends: %v)", config, r, backends.List())
		}
	}()
	if err := CheckBackendConfig(config); err != nil {
		return nil, err
	}
	name, _, _ := strings.Cut(config, ":")
	b, err = backends.NewWithConfig(config)
	if err != nil {
		if name == "xla" {
			return nil, fmt.Errorf("GoMLX backend %q: %w (the PJRT plugin is looked up by name as "+
				"pjrt_c_api_<name>_plugin.so in $PJRT_PLUGIN_LIBRARY_PATH; nothing is downloaded unless %s is set)",
				config, err, AutoInstallXLAEnv)
		}
		return nil, fmt.Errorf("GoMLX backend %q: %w", config, err)
	}
	return b, nil
}
