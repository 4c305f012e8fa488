package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/gowiseft/wiseft/internal/fileio"
)

// idxArray is an unsigned-byte array read from an idx file (the format of MNIST and Fashion-MNIST).
type idxArray struct {
	// Dims are the dimensions, outermost first: [n] for labels, [n, rows, cols] for images.
	Dims []int
	// Data holds the values in row-major order.
	Data []uint8
}

// maxIDXElements bounds the size an idx header may announce, so a corrupt header cannot ask for huge memory.
const maxIDXElements = 1 << 30

// readIDXFile reads an idx file, gzip-compressed (as shipped) or not.
func readIDXFile(path string) (*idxArray, error) {
	f, _, err := fileio.Open(path) // a named pipe or a device is refused, not read forever
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := readIDX(f)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", path, err)
	}
	return a, nil
}

// readIDX reads an idx stream of unsigned bytes; a gzip stream is recognised by its magic number and
// decompressed on the fly.
func readIDX(r io.Reader) (*idxArray, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(2)
	if err != nil {
		return nil, fmt.Errorf("idx: reading header: %w", err)
	}
	var in io.Reader = br
	if head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("idx: %w", err)
		}
		defer gz.Close()
		in = bufio.NewReaderSize(gz, 1<<16)
	}
	var magic [4]byte
	if _, err := io.ReadFull(in, magic[:]); err != nil {
		return nil, fmt.Errorf("idx: reading magic number: %w", err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, errors.New("idx: bad magic number (not an idx file)")
	}
	if magic[2] != 0x08 {
		return nil, fmt.Errorf("idx: element type 0x%02x not supported (only unsigned bytes, 0x08)", magic[2])
	}
	nd := int(magic[3])
	if nd < 1 || nd > 4 {
		return nil, fmt.Errorf("idx: %d dimensions not supported", nd)
	}
	dims := make([]int, nd)
	total := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(in, binary.BigEndian, &d); err != nil {
			return nil, fmt.Errorf("idx: reading dimension %d: %w", i, err)
		}
		if d == 0 || d > maxIDXElements || total > maxIDXElements/int(d) {
			return nil, fmt.Errorf("idx: bad dimension %d = %d", i, d)
		}
		dims[i] = int(d)
		total *= int(d)
	}
	data := make([]uint8, total)
	if _, err := io.ReadFull(in, data); err != nil {
		return nil, fmt.Errorf("idx: reading %d values: %w", total, err)
	}
	return &idxArray{Dims: dims, Data: data}, nil
}

// writeIDX writes data with the given dimensions as an idx stream of unsigned bytes (used by tests and tools
// that make small idx files).
func writeIDX(w io.Writer, dims []int, data []uint8) error {
	var buf bytes.Buffer
	buf.Write([]byte{0, 0, 0x08, byte(len(dims))})
	total := 1
	for _, d := range dims {
		_ = binary.Write(&buf, binary.BigEndian, uint32(d))
		total *= d
	}
	if total != len(data) {
		return fmt.Errorf("idx: %d values for dimensions %v", len(data), dims)
	}
	buf.Write(data)
	_, err := w.Write(buf.Bytes())
	return err
}
