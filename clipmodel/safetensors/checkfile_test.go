package safetensors

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	good, err := Encode(map[string]*Tensor{"a": FromFloat32([]float32{1, 2, 3}, 3), "b": FromInt64([]int64{4}, 1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	huge := make([]byte, 16)
	binary.LittleEndian.PutUint64(huge, 1<<62)
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"good", "", good},
		{"cut in the data", "outside", good[:len(good)-3]},
		{"cut in the header", "truncated", good[:20]},
		{"shorter than the length", "shorter than", good[:5]},
		{"empty", "shorter than", nil},
		{"huge header length", "exceeds", huge},
		{"header lies about a size", "needs 12 bytes", header(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".safetensors")
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			shapes, err := CheckFile(path)
			_, perr := Parse(c.data)
			if c.want == "" {
				if err != nil || len(shapes) != 2 || ShapeString(shapes["a"]) != "[3]" {
					t.Fatalf("CheckFile = %v, %v", shapes, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("CheckFile: err = %v, want one naming the file and containing %q", err, c.want)
			}
			if perr == nil {
				t.Fatalf("Parse accepts what CheckFile refuses (%v)", err)
			}
		})
	}
}

func TestWriteFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := WriteFile(path, map[string]*Tensor{"a": FromFloat32([]float32{1}, 1)}, nil); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 (readable like any written file)", info.Mode().Perm())
	}
}

// TestParseErrorsAreDeterministic: with several bad tensors, the same one is reported every time (name order).
func TestParseErrorsAreDeterministic(t *testing.T) {
	data := header(`{"z":{"dtype":"F32","shape":[9],"data_offsets":[0,4]},"m":{"dtype":"F32","shape":[9],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[9],"data_offsets":[0,4]}}`, 4)
	for range 20 {
		_, err := Parse(data)
		if err == nil || !strings.Contains(err.Error(), `tensor "a"`) {
			t.Fatalf("err = %v, want the first tensor by name (a)", err)
		}
	}
}
