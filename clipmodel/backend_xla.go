//go:build cgo && !noxla

package clipmodel

import (
	"os"

	"github.com/gomlx/gomlx/backends/xla" // XLA through a PJRT plugin: GOMLX_BACKEND=xla:cuda (needs cgo)
)

// AutoInstallXLAEnv, when set (to anything), lets GoMLX's XLA backend download a PJRT plugin it does not find
// (github.com/gomlx/pjrt-cpu-binaries for CPU, PyPI's JAX wheels for CUDA). By default the project never
// downloads anything: the plugin must be found through PJRT_PLUGIN_LIBRARY_PATH or the standard folders.
const AutoInstallXLAEnv = "WISEFT_XLA_AUTO_INSTALL"

// xlaCompiledIn reports that this build includes the XLA backend.
const xlaCompiledIn = true

func init() {
	xla.EnableAutoInstall(os.Getenv(AutoInstallXLAEnv) != "")
	// go-xla v0.1.4's check of a CUDA plugin's NVIDIA libraries ends by pointing XLA_FLAGS at a folder of its
	// author's machine (--xla_gpu_cuda_data_dir=/home/janpf/...); skip it unless asked for.
	if _, set := os.LookupEnv("GOPJRT_CUDA_CHECKS"); !set {
		_ = os.Setenv("GOPJRT_CUDA_CHECKS", "0")
	}
}
