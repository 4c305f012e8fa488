package safetensors

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.safetensors")
	in := map[string]*Tensor{
		"a":      FromFloat32([]float32{1, -2.5, 3, 4, 5, 6}, 2, 3),
		"scalar": FromFloat32([]float32{7}),
		"ids":    FromInt64([]int64{49406, 1, -3}, 3),
	}
	if err := WriteFile(path, in, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" {
		t.Errorf("metadata lost: %v", f.Metadata)
	}
	a, _ := f.Tensors["a"].Float32()
	if ShapeString(f.Tensors["a"].Shape) != "[2 3]" || a[1] != -2.5 || a[5] != 6 {
		t.Errorf("a = %v %v", f.Tensors["a"].Shape, a)
	}
	s, _ := f.Tensors["scalar"].Float32()
	if len(f.Tensors["scalar"].Shape) != 0 || s[0] != 7 {
		t.Errorf("scalar = %v %v", f.Tensors["scalar"].Shape, s)
	}
	ids, _ := f.Tensors["ids"].Int64()
	if ids[0] != 49406 || ids[2] != -3 {
		t.Errorf("ids = %v", ids)
	}
	// The data section starts 8-byte aligned.
	raw, _ := os.ReadFile(path)
	if n := binary.LittleEndian.Uint64(raw); n%8 != 0 {
		t.Errorf("header length %d not aligned", n)
	}
}

func TestHalfPrecision(t *testing.T) {
	// 1.0, -2.0, 0.5 and a subnormal (2^-24) in F16; 1.0 and -3.0 in BF16.
	h := &Tensor{DType: F16, Shape: []int{4}, Data: []byte{0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x01, 0x00}}
	got, err := h.Float32()
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, -2, 0.5, 5.9604645e-08}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("f16[%d] = %g, want %g", i, got[i], want[i])
		}
	}
	b := &Tensor{DType: BF16, Shape: []int{2}, Data: []byte{0x80, 0x3f, 0x40, 0xc0}}
	gb, _ := b.Float32()
	if gb[0] != 1 || gb[1] != -3 {
		t.Errorf("bf16 = %v", gb)
	}
}

func header(js string, body int) []byte {
	out := make([]byte, 8, 8+len(js)+body)
	binary.LittleEndian.PutUint64(out, uint64(len(js)))
	out = append(out, js...)
	return append(out, make([]byte, body)...)
}

func TestBadFiles(t *testing.T) {
	huge := make([]byte, 16)
	binary.LittleEndian.PutUint64(huge, 1<<62)
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"empty", "shorter than", nil},
		{"huge header length", "exceeds", huge},
		{"header longer than file", "truncated", header(`{"a":1}`, 0)[:10]},
		{"not json", "not valid JSON", header(`{nope`, 0)},
		{"unknown dtype", "unknown dtype", header(`{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}`, 4)},
		{"offsets past end", "outside", header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 4)},
		{"negative offset", "outside", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, 4)},
		{"shape vs bytes", "needs 12 bytes", header(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8)},
		{"giant shape", "larger than", header(`{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}`, 8)},
		{"overlap", "overlap", header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8)},
		{"bad metadata", "__metadata__", header(`{"__metadata__":{"a":1}}`, 0)},
		// A name given twice: a map decoder keeps the last entry silently.
		{"duplicate name", `names "a" twice`, header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8)},
		// Bytes no tensor covers: before the first, between two, after the last.
		{"gap before", `[0, 4) are covered by no tensor (before "a")`, header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8)},
		{"gap between", `[4, 8) are covered by no tensor (between "a" and "b")`, header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, 12)},
		{"bytes after", `4 bytes after the tensors`, header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8)},
		{"data and no tensor", `the header lists no tensor`, header(`{}`, 8)},
		{"trailing JSON", "data after the header's object", header(`{} {}`, 0)},
		{"not an object", "not a JSON object", header(`[1]`, 0)},
		{"too many dimensions", "65 dimensions", header(`{"a":{"dtype":"F32","shape":[`+strings.Repeat("1,", 64)+`1],"data_offsets":[0,4]}}`, 4)},
		{"long name is cut", `… (5000 bytes)`, header(`{"`+strings.Repeat("n", 5000)+`":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}`, 4)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse: err = %v, want one containing %q", err, c.want)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error of %d bytes: a long name must be cut", len(err.Error()))
			}
		})
	}
}

func TestWriteKeepsOldFileOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.safetensors")
	if err := WriteFile(path, map[string]*Tensor{"a": FromFloat32([]float32{1}, 1)}, nil); err != nil {
		t.Fatal(err)
	}
	bad := map[string]*Tensor{"a": {DType: F32, Shape: []int{2}, Data: make([]byte, 4)}}
	if err := WriteFile(path, bad, nil); err == nil {
		t.Fatal("writing a tensor whose data does not match its shape succeeded")
	}
	if _, err := ReadFile(path); err != nil {
		t.Fatalf("the old file was damaged: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}
