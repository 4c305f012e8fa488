package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/gowiseft/wiseft/internal/atomicfile"
)

// Encode serialises tensors (in name order, so the output is deterministic) and metadata to safetensors bytes.
func Encode(tensors map[string]*Tensor, metadata map[string]string) ([]byte, error) {
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		if name == "__metadata__" {
			return nil, fmt.Errorf("tensor name %q is reserved", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	header := make(map[string]any, len(names)+1)
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	var offset int64
	for _, name := range names {
		t := tensors[name]
		if t.DType.Size() == 0 {
			return nil, fmt.Errorf("tensor %q: unknown dtype %q", name, t.DType)
		}
		if want := int64(t.NumElements() * t.DType.Size()); want != int64(len(t.Data)) {
			return nil, fmt.Errorf("tensor %q: shape %s of %s needs %d bytes, has %d",
				name, ShapeString(t.Shape), t.DType, want, len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[name] = map[string]any{"dtype": t.DType, "shape": shape, "data_offsets": []int64{offset, offset + int64(len(t.Data))}}
		offset += int64(len(t.Data))
	}
	js, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	// Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
	for len(js)%8 != 0 {
		js = append(js, ' ')
	}
	var buf bytes.Buffer
	buf.Grow(8 + len(js) + int(offset))
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(js)))
	buf.Write(n[:])
	buf.Write(js)
	for _, name := range names {
		buf.Write(tensors[name].Data)
	}
	return buf.Bytes(), nil
}

// WriteFile writes tensors and metadata to path atomically: a temporary file in the same folder is written,
// synced and renamed over path, so a crash leaves either the old file or the new one, never a torn one.
func WriteFile(path string, tensors map[string]*Tensor, metadata map[string]string) error {
	data, err := Encode(tensors, metadata)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data)
}
