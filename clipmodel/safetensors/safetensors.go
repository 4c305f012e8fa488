// Package safetensors reads and writes the safetensors file format used by Hugging Face checkpoints: an 8-byte
// little-endian header length, a JSON header mapping each tensor name to its dtype, shape and byte range, then the
// raw little-endian tensor data.
//
// The reader checks every claim of the header (its length, each tensor's byte range against the data size and the
// shape, the dtype) before touching the data, so a corrupt or truncated file gives one clear error, never a panic
// or a huge allocation. The writer writes atomically (temporary file, fsync, rename).
//
//	f, err := safetensors.ReadFile("model.safetensors")
//	if err != nil { ... }
//	w, _ := f.Tensors["visual_projection.weight"].Float32() // converted from F16/BF16/F64 where needed
//	err = safetensors.WriteFile("out.safetensors", map[string]*safetensors.Tensor{
//		"w": safetensors.FromFloat32(w, 32, 64),
//	}, nil)
package safetensors

import (
	"fmt"
	"strings"
)

// DType names a tensor element type as the format spells it ("F32", "F16", "BF16", "F64", "I64", "I32", ...).
type DType string

// The element types this package understands.
const (
	F64  DType = "F64"
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	I64  DType = "I64"
	I32  DType = "I32"
	I16  DType = "I16"
	I8   DType = "I8"
	U8   DType = "U8"
	Bool DType = "BOOL"
)

// Size is the size in bytes of one element, or 0 for an unknown dtype.
func (d DType) Size() int {
	switch d {
	case F64, I64:
		return 8
	case F32, I32:
		return 4
	case F16, BF16, I16:
		return 2
	case I8, U8, Bool:
		return 1
	}
	return 0
}

// Tensor is one named array of a safetensors file: its dtype, its shape and its raw little-endian bytes.
type Tensor struct {
	DType DType
	Shape []int
	Data  []byte
}

// NumElements is the product of the shape's dimensions (1 for a scalar).
func (t *Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// ShapeString formats a shape as "[4 3 32 32]".
func ShapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// File is the content of a safetensors file: its tensors by name and its optional string metadata.
type File struct {
	Tensors  map[string]*Tensor
	Metadata map[string]string
}
