//go:build !cgo || noxla

package clipmodel

// AutoInstallXLAEnv is unused in a build without XLA (the noxla tag, or cgo off); see backend_xla.go.
const AutoInstallXLAEnv = "WISEFT_XLA_AUTO_INSTALL"

// xlaCompiledIn reports that this build leaves the XLA backend out (the noxla tag, or a build without cgo).
const xlaCompiledIn = false
