package realdata

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

var (
	npyDescr   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	npyFortran = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// parseNpy decodes a NumPy .npy file (format versions 1 to 3) of a numeric dtype in C order, or of dtype object
// (a pickle, as np.save(allow_pickle=True) writes a dict).
func parseNpy(data []byte) (*ndarray, error) {
	if len(data) < 10 || string(data[:6]) != npyMagic {
		return nil, errors.New("npy: not a .npy file (bad magic)")
	}
	major := data[6]
	var hlen, start int
	switch major {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(data[8:10])), 10
	case 2, 3:
		if len(data) < 12 {
			return nil, errors.New("npy: truncated header")
		}
		hlen, start = int(binary.LittleEndian.Uint32(data[8:12])), 12
	default:
		return nil, fmt.Errorf("npy: unsupported format version %d", major)
	}
	if hlen > len(data)-start {
		return nil, errors.New("npy: truncated header")
	}
	header := string(data[start : start+hlen])
	body := data[start+hlen:]
	m := npyDescr.FindStringSubmatch(header)
	if m == nil {
		return nil, fmt.Errorf("npy: unsupported header %q", header)
	}
	d, err := parseDtype(m[1])
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	if f := npyFortran.FindStringSubmatch(header); f == nil {
		return nil, fmt.Errorf("npy: header without fortran_order: %q", header)
	} else if f[1] == "True" {
		return nil, errors.New("npy: Fortran-ordered arrays are not supported")
	}
	s := npyShape.FindStringSubmatch(header)
	if s == nil {
		return nil, fmt.Errorf("npy: header without shape: %q", header)
	}
	var shape []int
	for _, f := range strings.Split(s[1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(f, "L"))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("npy: bad shape %q", s[1])
		}
		shape = append(shape, n)
	}
	if d.code[0] == 'O' {
		v, err := unpickle(body)
		if err != nil {
			return nil, fmt.Errorf("npy: object array: %w", err)
		}
		a, ok := v.(*ndarray)
		if !ok {
			return nil, fmt.Errorf("npy: object array pickle holds %T", v)
		}
		return a, nil
	}
	a := &ndarray{shape: shape, dtype: d}
	if a.count() < 0 {
		return nil, fmt.Errorf("npy: bad shape %v", shape)
	}
	n := a.count() * d.size()
	if len(body) < n {
		return nil, fmt.Errorf("npy: %d data bytes for shape %v and dtype %s, want %d", len(body), shape, m[1], n)
	}
	a.data = body[:n]
	return a, nil
}

// readNpz reads the named arrays ("images" reads member "images.npy") from a NumPy .npz archive.
func readNpz(data []byte, names ...string) (map[string]*ndarray, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	out := make(map[string]*ndarray, len(names))
	for _, name := range names {
		f, err := zr.Open(name + ".npy")
		if err != nil {
			return nil, fmt.Errorf("npz: no array %q", name)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("npz: %s: %w", name, err)
		}
		if out[name], err = parseNpy(b); err != nil {
			return nil, fmt.Errorf("npz: %s: %w", name, err)
		}
	}
	return out, nil
}
