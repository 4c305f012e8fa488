//go:build unix

package fileio

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	loop := filepath.Join(dir, "loop")
	os.Symlink(loop, loop)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 100), 0o644)
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("hello"), 0o644)

	cases := []struct {
		name, path, want string
		max              int64
	}{
		{"named pipe", fifo, "is a named pipe (FIFO), not a regular file", 1 << 20},
		{"device", "/dev/zero", "is a character device, not a regular file", 1 << 20},
		{"folder", dir, "is a folder, not a regular file", 1 << 20},
		{"symbolic link loop", loop, "loop is a symbolic link loop", 1 << 20},
		{"too large", big, "is 100 bytes, more than the 10 bytes such a file may hold", 10},
		{"missing", filepath.Join(dir, "nope"), "no such file", 1 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadFile(c.path, c.max)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	if data, err := ReadFile(small, 5); err != nil || string(data) != "hello" {
		t.Errorf("ReadFile(small) = %q, %v", data, err)
	}
	if _, err := Stat(loop); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("a loop's error no longer unwraps to ELOOP: %v", err)
	}
	if err := CheckDir(small); err == nil || !strings.Contains(err.Error(), "is a regular file, not a folder") {
		t.Errorf("CheckDir(file) = %v", err)
	}
	if err := CheckDir(dir); err != nil {
		t.Errorf("CheckDir(dir) = %v", err)
	}
}
