package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
	return WriteFileAtomic(path, data)
}

// WriteFileAtomic writes data to path through a synced temporary file (mode 0644) and a rename, then syncs the
// folder, so that after a crash path holds either its old content or all of data.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	// CreateTemp makes the file private (0600); the result is an ordinary readable file, as os.WriteFile makes.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
