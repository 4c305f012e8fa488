//go:build unix

package results

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A results log is only ever a JSON-lines file: Append refuses, before writing a byte, a binary file (model
// weights), text that holds no record, a folder and a special file; Read gives up with one error on binary data,
// on too many bad lines and on an endless line, instead of a warning per line.
func TestNotALog(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The start of a safetensors file: an 8-byte little-endian header length, then JSON, then raw floats.
	weights := binary.LittleEndian.AppendUint64(nil, 64)
	weights = append(weights, `{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`...)
	weights = append(weights, 0x0a, 0, 0, 0x80, 0x3f, 0x0a, 0x12, 0x34)
	garbage := bytes.Repeat([]byte("not json at all\n"), MaxBadLines+1)
	fifo := filepath.Join(dir, "pipe.jsonl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, want string
		readFails        bool
	}{
		{"model weights", write("model.safetensors", weights), "holds binary data", true},
		{"many bad lines", write("garbage.txt", garbage), "11 lines are not JSON objects", true},
		{"a 17 MiB line", write("long.jsonl", bytes.Repeat([]byte("x"), MaxLineBytes+1)), "longer than 16 MiB", true},
		{"text without a record", write("README", []byte("# my notes\nkeep this\n")), "no line is a record", false},
		{"a folder", dir, "is a folder", true},
		{"a named pipe", fifo, "is a named pipe (FIFO)", true},
		{"a device", "/dev/zero", "is a character device", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before []byte
			if fi, err := os.Stat(c.path); err == nil && fi.Mode().IsRegular() {
				before, _ = os.ReadFile(c.path)
			}
			err := Append(c.path, Record{"alpha": 0.5, "MNIST:top1": 0.9})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Append: err = %v, want %q", err, c.want)
			}
			if before != nil {
				if after, _ := os.ReadFile(c.path); !bytes.Equal(after, before) {
					t.Error("Append changed a file that is not a log")
				}
			}
			_, warns, err := Read(c.path)
			if c.readFails && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Errorf("Read: err = %v, want %q", err, c.want)
			}
			if len(warns) > MaxBadLines {
				t.Errorf("Read gave %d warnings", len(warns))
			}
			var nl *NotLogError
			if c.readFails && strings.Contains(c.want, "lines") && !errors.As(err, &nl) {
				t.Errorf("Read's error is not a *NotLogError: %v", err)
			}
		})
	}
}

// What a crash can leave at the end of a log (a line cut inside a character, zeros past the written bytes) is a
// torn line, skipped with a warning; Append still adds to the file.
func TestTornTailIsStillALog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	good := `{"alpha":0,"MNIST:top1":0.9}` + "\n"
	torn := `{"alpha":0.5,"name":"é`[:len(`{"alpha":0.5,"name":"é`)-1]
	if err := os.WriteFile(path, []byte(good+torn+"\x00\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Append(path, Record{"alpha": 1, "MNIST:top1": 0.95}); err != nil {
		t.Fatal(err)
	}
	recs, warns, err := Read(path)
	if err != nil || len(recs) != 2 || len(warns) != 1 {
		t.Fatalf("Read = %d records, %v, %v; want 2 records and one warning", len(recs), warns, err)
	}
}
