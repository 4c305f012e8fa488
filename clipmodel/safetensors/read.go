package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
)

// MaxHeaderSize bounds the JSON header a reader accepts (100 MB, as the reference implementation does), so that a
// corrupt length field cannot make it allocate gigabytes.
const MaxHeaderSize = 100 << 20

// ReadFile reads and validates a whole safetensors file.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Read reads and validates a safetensors stream.
func Read(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

type headerEntry struct {
	DType       DType   `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// Parse validates and decodes the bytes of a safetensors file. The returned tensors share memory with data.
func Parse(data []byte) (*File, error) {
	n, err := headerLength(data, int64(len(data)))
	if err != nil {
		return nil, err
	}
	h, err := parseHeader(data[8:8+n], int64(len(data))-8-int64(n))
	if err != nil {
		return nil, err
	}
	body := data[8+n:]
	f := &File{Tensors: make(map[string]*Tensor, len(h.entries)), Metadata: h.metadata}
	for _, e := range h.entries {
		f.Tensors[e.name] = &Tensor{DType: e.dtype, Shape: e.shape, Data: body[e.begin:e.end:e.end]}
	}
	return f, nil
}

// CheckFile validates the header of the safetensors file at path against the file's size without reading the
// tensor data: the checks of Parse (header length, JSON, dtypes, shapes against byte ranges, ranges inside the
// data, no overlaps) on the header alone. A file cut short by a crash or a partial copy fails it. It returns the
// tensor names and shapes.
func CheckFile(path string) (map[string][]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var head [8]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: not a safetensors file: %d bytes, shorter than the 8-byte header length", path, info.Size())
		}
		return nil, err
	}
	n, err := headerLength(head[:], info.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	js := make([]byte, n)
	if _, err := io.ReadFull(f, js); err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	h, err := parseHeader(js, info.Size()-8-int64(n))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	shapes := make(map[string][]int, len(h.entries))
	for _, e := range h.entries {
		shapes[e.name] = e.shape
	}
	return shapes, nil
}

// headerLength reads the header length from the first 8 bytes of a file of size bytes and checks it against
// MaxHeaderSize and the size.
func headerLength(data []byte, size int64) (uint64, error) {
	if size < 8 || len(data) < 8 {
		return 0, fmt.Errorf("not a safetensors file: %d bytes, shorter than the 8-byte header length", size)
	}
	n := binary.LittleEndian.Uint64(data[:8])
	if n > MaxHeaderSize {
		return 0, fmt.Errorf("not a safetensors file: header length %d exceeds the %d-byte limit", n, MaxHeaderSize)
	}
	if n > uint64(size-8) {
		return 0, fmt.Errorf("truncated safetensors file: header claims %d bytes, only %d follow", n, size-8)
	}
	return n, nil
}

// entry is one validated tensor of a header.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end int64
}

type parsedHeader struct {
	entries  []entry // sorted by name
	metadata map[string]string
}

// parseHeader validates the JSON header js of a file whose data section holds bodyLen bytes. Tensors are checked
// in name order, so the first error reported for a file is always the same.
func parseHeader(js []byte, bodyLen int64) (*parsedHeader, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, fmt.Errorf("safetensors header is not valid JSON: %w", err)
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	h := &parsedHeader{entries: make([]entry, 0, len(raw))}
	for _, name := range names {
		msg := raw[name]
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &h.metadata); err != nil {
				return nil, fmt.Errorf("safetensors __metadata__ is not a map of strings: %w", err)
			}
			continue
		}
		var e headerEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("tensor %q: bad header entry: %w", name, err)
		}
		size := int64(e.DType.Size())
		if size == 0 {
			return nil, fmt.Errorf("tensor %q: unknown dtype %q", name, e.DType)
		}
		if len(e.DataOffsets) != 2 {
			return nil, fmt.Errorf("tensor %q: data_offsets must hold 2 numbers, got %d", name, len(e.DataOffsets))
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin || end > bodyLen {
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] outside the %d data bytes", name, begin, end, bodyLen)
		}
		shape := make([]int, len(e.Shape))
		elems := int64(1)
		for i, d := range e.Shape {
			if d < 0 || (d > 0 && elems > bodyLen/d) {
				return nil, fmt.Errorf("tensor %q: shape %v is larger than the %d data bytes", name, e.Shape, bodyLen)
			}
			shape[i] = int(d)
			elems *= d
		}
		if elems*size != end-begin {
			return nil, fmt.Errorf("tensor %q: shape %v of %s needs %d bytes, data_offsets give %d",
				name, e.Shape, e.DType, elems*size, end-begin)
		}
		h.entries = append(h.entries, entry{name, e.DType, shape, begin, end})
	}
	spans := slices.Clone(h.entries)
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].begin < spans[j].begin })
	for i := 1; i < len(spans); i++ {
		if spans[i].begin < spans[i-1].end {
			return nil, fmt.Errorf("tensors %q and %q overlap in the data", spans[i-1].name, spans[i].name)
		}
	}
	return h, nil
}
