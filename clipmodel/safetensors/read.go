package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"unicode/utf8"

	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/internal/sysmem"
)

// MaxHeaderSize bounds the JSON header a reader accepts (100 MB, as the reference implementation does), so that a
// corrupt length field cannot make it allocate gigabytes.
const MaxHeaderSize = 100 << 20

// MaxDims bounds the number of dimensions of a tensor's shape (PyTorch allows 64).
const MaxDims = 64

// ReadFile reads and validates a whole safetensors file. Nothing is read before the header is checked against the
// file's size, and the tensor data is read only when the machine has the memory for it, so a special file (a named
// pipe, /dev/zero), a huge sparse file or a header that lies gives one error naming the file instead of a hang or
// an exhausted memory.
func ReadFile(path string) (*File, error) {
	file, info, err := fileio.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	h, n, err := readHeader(file, info.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	bodyLen := info.Size() - 8 - int64(n)
	if err := sysmem.Check(fmt.Sprintf("%s (%s of tensor data)", path, sysmem.Size(bodyLen)), bodyLen); err != nil {
		return nil, err
	}
	body := make([]byte, bodyLen)
	if _, err := io.ReadFull(file, body); err != nil {
		return nil, fmt.Errorf("%s: reading the tensor data: %w", path, err)
	}
	return h.file(body), nil
}

// readHeader reads and validates the header of a safetensors file of size bytes from r, positioned at its start;
// it returns the header and its length.
func readHeader(r io.Reader, size int64) (*parsedHeader, uint64, error) {
	var head [8]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, 0, fmt.Errorf("not a safetensors file: %d bytes, shorter than the 8-byte header length", size)
		}
		return nil, 0, err
	}
	n, err := headerLength(head[:], size)
	if err != nil {
		return nil, 0, err
	}
	js := make([]byte, n)
	if _, err := io.ReadFull(r, js); err != nil {
		return nil, 0, fmt.Errorf("reading the header: %w", err)
	}
	h, err := parseHeader(js, size-8-int64(n))
	if err != nil {
		return nil, 0, err
	}
	return h, n, nil
}

// file makes the File of a validated header over its data section body (shared, not copied).
func (h *parsedHeader) file(body []byte) *File {
	f := &File{Tensors: make(map[string]*Tensor, len(h.entries)), Metadata: h.metadata}
	for _, e := range h.entries {
		f.Tensors[e.name] = &Tensor{DType: e.dtype, Shape: e.shape, Data: body[e.begin:e.end:e.end]}
	}
	return f
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
	return h.file(data[8+n:]), nil
}

// CheckFile validates the header of the safetensors file at path against the file's size without reading the
// tensor data: the checks of Parse (header length, JSON, dtypes, shapes against byte ranges, ranges inside the
// data, no overlaps) on the header alone. A file cut short by a crash or a partial copy fails it. It returns the
// tensor names and shapes.
func CheckFile(path string) (map[string][]int, error) {
	f, info, err := fileio.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, _, err := readHeader(f, info.Size())
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
	raw, err := headerObject(js)
	if err != nil {
		return nil, err
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
			return nil, fmt.Errorf("tensor %s: bad header entry: %w", quoteName(name), err)
		}
		size := int64(e.DType.Size())
		if size == 0 {
			return nil, fmt.Errorf("tensor %s: unknown dtype %s", quoteName(name), quoteName(string(e.DType)))
		}
		if len(e.DataOffsets) != 2 {
			return nil, fmt.Errorf("tensor %s: data_offsets must hold 2 numbers, got %d", quoteName(name), len(e.DataOffsets))
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin || end > bodyLen {
			return nil, fmt.Errorf("tensor %s: data_offsets [%d, %d] outside the %d data bytes", quoteName(name), begin, end, bodyLen)
		}
		if len(e.Shape) > MaxDims {
			return nil, fmt.Errorf("tensor %s: shape has %d dimensions, more than %d", quoteName(name), len(e.Shape), MaxDims)
		}
		shape := make([]int, len(e.Shape))
		elems := int64(1)
		for i, d := range e.Shape {
			if d < 0 || (d > 0 && elems > bodyLen/d) {
				return nil, fmt.Errorf("tensor %s: shape %v is larger than the %d data bytes", quoteName(name), e.Shape, bodyLen)
			}
			shape[i] = int(d)
			elems *= d
		}
		if elems*size != end-begin {
			return nil, fmt.Errorf("tensor %s: shape %v of %s needs %d bytes, data_offsets give %d",
				quoteName(name), e.Shape, e.DType, elems*size, end-begin)
		}
		h.entries = append(h.entries, entry{name, e.DType, shape, begin, end})
	}
	spans := slices.Clone(h.entries)
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].begin < spans[j].begin })
	for i := 1; i < len(spans); i++ {
		if spans[i].begin < spans[i-1].end {
			return nil, fmt.Errorf("tensors %s and %s overlap in the data", quoteName(spans[i-1].name), quoteName(spans[i].name))
		}
	}
	return h, checkCoverage(spans, bodyLen)
}

// headerObject decodes the header's JSON object into its entries, refusing a name given twice: a map decoder
// would keep the last one silently, so two readers could disagree on what the file holds.
func headerObject(js []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("safetensors header is not valid JSON: %s", notObject(err))
	}
	raw := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("safetensors header is not valid JSON: %w", err)
		}
		name := tok.(string) // an object's keys are strings, or Token fails
		var msg json.RawMessage
		if err := dec.Decode(&msg); err != nil {
			return nil, fmt.Errorf("safetensors header is not valid JSON: %w", err)
		}
		if _, dup := raw[name]; dup {
			return nil, fmt.Errorf("the header names %s twice", quoteName(name))
		}
		raw[name] = msg
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("safetensors header is not valid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("safetensors header is not valid JSON: data after the header's object")
	}
	return raw, nil
}

func notObject(err error) string {
	if err != nil {
		return err.Error()
	}
	return "not a JSON object"
}

// checkCoverage verifies that the tensors, sorted by offset and without overlaps, tile the data section: bytes no
// tensor covers are hidden content (or a file written wrong), which the reference implementation refuses too.
func checkCoverage(spans []entry, bodyLen int64) error {
	var end int64
	after := ""
	for _, e := range spans {
		if e.begin > end {
			return fmt.Errorf("data bytes [%d, %d) are covered by no tensor (%s)", end, e.begin, gapPlace(after, e.name))
		}
		end, after = e.end, e.name
	}
	if end < bodyLen {
		return fmt.Errorf("data bytes [%d, %d) are covered by no tensor (%s): %d bytes after the tensors", end, bodyLen,
			gapPlace(after, ""), bodyLen-end)
	}
	return nil
}

func gapPlace(before, after string) string {
	switch {
	case before == "" && after == "":
		return "the header lists no tensor"
	case before == "":
		return "before " + quoteName(after)
	case after == "":
		return "after " + quoteName(before)
	}
	return "between " + quoteName(before) + " and " + quoteName(after)
}

// quoteName quotes a tensor name for an error, cut to 80 bytes (with its length) when longer.
func quoteName(name string) string {
	const max = 80
	if len(name) <= max {
		return fmt.Sprintf("%q", name)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", name[:cut], len(name))
}
