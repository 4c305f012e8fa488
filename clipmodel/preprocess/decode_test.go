package preprocess

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadImageFormats(t *testing.T) {
	for name, size := range map[string]image.Point{
		"gradient_rgb_50x37.png": {50, 37},
		"gray_41x64.png":         {41, 64},
		"palette_20x15.png":      {20, 15},
		"alpha_30x45.png":        {30, 45},
		"photo_64x48.jpg":        {64, 48},
	} {
		img := loadTestImage(t, name)
		if img.Bounds().Size() != size {
			t.Errorf("%s: size %v, want %v", name, img.Bounds().Size(), size)
		}
	}
}

func TestLoadImageErrorsNameFile(t *testing.T) {
	dir := t.TempDir()
	notImage := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notImage, []byte("hello, not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "cut.png")
	data, err := os.ReadFile(filepath.Join("testdata", "stripes_200x150.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truncated, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{notImage, truncated, filepath.Join(dir, "missing.jpg")} {
		img, err := LoadImage(path)
		if err == nil || img != nil {
			t.Errorf("LoadImage(%s) = %v, %v; want an error", path, img, err)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name %s", err, path)
		}
	}
}

// hugePNG is a PNG header claiming w×h pixels, followed by no pixel data.
func hugePNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestDecodeRejectsHugeDimensions(t *testing.T) {
	_, err := Decode(bytes.NewReader(hugePNG(100000, 100000)))
	if err == nil || !strings.Contains(err.Error(), "more than the 178956970 allowed") {
		t.Errorf("Decode(huge header) error %v, want a size error", err)
	}
	// 16000 × 16000 (256 megapixels, 1 GB decoded): above PIL's decompression-bomb limit too.
	if _, err := Decode(bytes.NewReader(hugePNG(16000, 16000))); err == nil || !strings.Contains(err.Error(), "16000x16000") {
		t.Errorf("Decode(16000x16000) error %v, want a size error", err)
	}
}

// LoadImage refuses a path that is not a regular file before reading it (a named pipe would block), and reads an
// endless stream only as far as the decoder needs.
func TestLoadImageRefusesSpecialFiles(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/dev/zero", "is a character device, not a regular file"},
		{t.TempDir(), "is a folder, not a regular file"},
	} {
		if _, err := LoadImage(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadImage(%s): err = %v, want %q", c.path, err, c.want)
		}
	}
	endless := io.MultiReader(bytes.NewReader(hugePNG(3, 2)), zeros{})
	if _, err := Decode(endless); err == nil {
		t.Error("a PNG header followed by endless zeros decoded")
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestDecodeRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, testPattern(9, 7)); err != nil {
		t.Fatal(err)
	}
	img, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 9, 7) {
		t.Errorf("bounds %v", img.Bounds())
	}
}

// FuzzDecode: arbitrary bytes never panic, and whatever decodes can be
// preprocessed. Run with go test -fuzz=FuzzDecode ./clipmodel/preprocess.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"gradient_rgb_50x37.png", "palette_20x15.png", "alpha_30x45.png", "photo_64x48.jpg",
		"photo444_64x48.jpg", "parity_progressive_64x48.jpg", "parity_warning_40x30.jpg", "parity_cmyk_16x12.jpg",
		"parity_gray_37x29.jpg"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, name := range []string{"gray_41x64.png", "tall_24x40.png"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2]) // cut short: the header decodes, the pixels do not
	}
	if jpeg, err := os.ReadFile(filepath.Join("testdata", "photo_64x48.jpg")); err == nil {
		f.Add(jpeg[:len(jpeg)/3])
	}
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Add(hugePNG(3, 2))
	f.Add([]byte{})
	tr := New(8)
	f.Fuzz(func(t *testing.T, data []byte) {
		// A lower pixel limit than Decode's keeps each fuzz input cheap.
		img, err := decodeLimited(bytes.NewReader(data), 1<<20, decodeOptions{})
		if err != nil {
			if img != nil {
				t.Fatal("image and error")
			}
			return
		}
		if n := len(tr.Eval(img)); n != tr.Len() {
			t.Fatalf("Eval length %d", n)
		}
	})
}
