package clipmodel

import (
	"fmt"
	"os"
	"sync"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // the pure-Go backend, available everywhere

	"github.com/gowiseft/wiseft/internal/fastgrad"
)

func init() { fastgrad.Install() }

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
// see GoMLX's documentation), or DefaultCPUBackend when it is unset. The XLA backend is compiled in unless the
// build uses the noxla tag.
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

// MustBackend is Backend for notebook cells: it panics on error.
func MustBackend() backends.Backend {
	b, err := Backend()
	if err != nil {
		panic(err)
	}
	return b
}

func newBackend(config string) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("GoMLX backend %q: %v (compiled-in backends: %v)", config, r, backends.List())
		}
	}()
	b, err = backends.NewWithConfig(config)
	if err != nil {
		return nil, fmt.Errorf("GoMLX backend %q: %w", config, err)
	}
	return b, nil
}
