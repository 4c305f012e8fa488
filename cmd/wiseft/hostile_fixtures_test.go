//go:build unix

package main

import (
	"bytes"
	bin "encoding/binary"
	"encoding/json"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

// Fixtures of hostile inputs for TestBadInputTable: files that lie, numbers that are not finite, special files,
// huge sparse files, and copies of the fixture model damaged in one way each.

// editedWeights is the fixture model folder with its weights edited by edit.
func editedWeights(t *testing.T, edit func(map[string]*safetensors.Tensor)) string {
	t.Helper()
	dir := modelWithTokenizer(t)
	f, err := safetensors.ReadFile(filepath.Join(dir, clipmodel.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	edit(f.Tensors)
	if err := safetensors.WriteFile(filepath.Join(dir, clipmodel.WeightsFile), f.Tensors, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

// setWeight replaces element i of the float tensor name.
func setWeight(name string, i int, v float32) func(map[string]*safetensors.Tensor) {
	return func(m map[string]*safetensors.Tensor) {
		data, _ := m[name].Float32()
		data[i] = v
		m[name] = safetensors.FromFloat32(data, m[name].Shape...)
	}
}

// editedConfigJSON is the fixture model folder with config.json's tower field set to v.
func editedConfigJSON(t *testing.T, tower, field string, v any) string {
	t.Helper()
	dir := modelWithTokenizer(t)
	data, _ := os.ReadFile(filepath.Join(dir, clipmodel.ConfigFile))
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	c[tower].(map[string]any)[field] = v
	data, _ = json.Marshal(c)
	if err := os.WriteFile(filepath.Join(dir, clipmodel.ConfigFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawSafetensors writes a safetensors file from a header given as JSON text and a data section of body bytes.
func rawSafetensors(t *testing.T, path, header string, body []byte) string {
	t.Helper()
	out := bin.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(append(out, header...), body...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// duplicateName is the fixture model with its header naming logit_scale twice (the second entry pointing at
// other bytes), and gapModel the fixture with 8 bytes no tensor covers after the data.
func duplicateNameModel(t *testing.T) string {
	dir := modelWithTokenizer(t)
	rewriteSafetensors(t, fixture+"/model.safetensors", filepath.Join(dir, clipmodel.WeightsFile), nil, nil, nil)
	data, _ := os.ReadFile(filepath.Join(dir, clipmodel.WeightsFile))
	n := bin.LittleEndian.Uint64(data)
	js := string(bytes.TrimRight(data[8:8+n], " "))
	var h map[string]any
	json.Unmarshal([]byte(js), &h)
	ls, _ := json.Marshal(h["logit_scale"])
	dup := js[:len(js)-1] + `,"logit_scale":` + string(ls) + "}"
	rawSafetensors(t, filepath.Join(dir, clipmodel.WeightsFile), dup, data[8+n:])
	return dir
}

func gapModel(t *testing.T) string {
	dir := modelWithTokenizer(t)
	rewriteSafetensors(t, fixture+"/model.safetensors", filepath.Join(dir, clipmodel.WeightsFile), nil, nil, nil)
	f, _ := os.OpenFile(filepath.Join(dir, clipmodel.WeightsFile), os.O_APPEND|os.O_WRONLY, 0)
	f.Write(make([]byte, 8))
	f.Close()
	return dir
}

// sparseFile makes a sparse file of size bytes (nothing written but its first bytes), or skips the test.
func sparseFile(t *testing.T, path string, head []byte, size int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(head)
	if err := f.Truncate(size); err != nil {
		t.Skipf("no %d-byte sparse files here: %v", size, err)
	}
	return path
}

// claimsHuge is the header of a safetensors file whose one tensor claims n bytes.
func claimsHuge(n int64) []byte {
	js := `{"pixel_values":{"dtype":"U8","shape":[` + strconv.FormatInt(n, 10) + `],"data_offsets":[0,` + strconv.FormatInt(n, 10) + `]}}`
	return append(bin.LittleEndian.AppendUint64(nil, uint64(len(js))), js...)
}

// pngHeader is a PNG that claims w×h pixels and holds none: a decompression bomb's header.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	bin.BigEndian.PutUint32(ihdr[0:], w)
	bin.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	bin.Write(&b, bin.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	bin.Write(&b, bin.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// fisherFile writes a Fisher file shaped like the classifier folder dir's weights, all ones but one value v.
func fisherFile(t *testing.T, dir, path string, v float32) string {
	t.Helper()
	m, err := clipmodel.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*safetensors.Tensor{}
	for name, w := range m.Weights {
		data := make([]float32, len(w.Data))
		for i := range data {
			data[i] = 1
		}
		if name == "classification_head.weight" {
			data[3] = v
		}
		out[name] = safetensors.FromFloat32(data, w.Shape...)
	}
	if err := safetensors.WriteFile(path, out, nil); err != nil {
		t.Fatal(err)
	}
	return path
}

// nanPixels is the golden inputs file with one pixel NaN.
func nanPixels(t *testing.T, path string) string {
	t.Helper()
	f, err := safetensors.ReadFile(fixture + "/golden.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	pv, _ := f.Tensors["pixel_values"].Float32()
	pv[10] = float32(math.NaN())
	err = safetensors.WriteFile(path, map[string]*safetensors.Tensor{"pixel_values": safetensors.FromFloat32(pv, f.Tensors["pixel_values"].Shape...)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func mkfifo(t *testing.T, path string) string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func long(n int) string { return strings.Repeat("x", n) }
