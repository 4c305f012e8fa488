package safetensors

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
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

// ReadFile refuses special files before reading them (a named pipe would block, /dev/zero never ends) and a file
// whose tensor data would not fit in memory before allocating it.
func TestReadFileRefusesSpecialAndHugeFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "model.safetensors")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	for _, c := range []struct{ path, want string }{
		{fifo, "is a named pipe (FIFO), not a regular file"},
		{"/dev/zero", "is a character device, not a regular file"},
		{dir, "is a folder, not a regular file"},
	} {
		if _, err := ReadFile(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadFile(%s): err = %v, want %q", c.path, err, c.want)
		}
		if _, err := CheckFile(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckFile(%s): err = %v, want %q", c.path, err, c.want)
		}
	}

	// A sparse file whose valid header claims 8 TiB of data: refused from the header and the file's size, without
	// reading (or allocating) the data.
	const claim = int64(1) << 43
	js := `{"a":{"dtype":"U8","shape":[` + itoa(claim) + `],"data_offsets":[0,` + itoa(claim) + `]}}`
	for len(js)%8 != 0 {
		js += " "
	}
	sparse := filepath.Join(dir, "sparse.safetensors")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(sparse)
	head := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
	f.Write(append(head, js...))
	if err := f.Truncate(8 + int64(len(js)) + claim); err != nil {
		f.Close()
		t.Skipf("this file system has no %d-byte sparse files: %v", claim, err)
	}
	f.Close()
	if _, err := ReadFile(sparse); err == nil || !strings.Contains(err.Error(), "of memory") {
		t.Errorf("ReadFile of an 8 TiB file: err = %v, want a refusal for memory", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
