package preprocess

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // register GIF
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG
	"io"
	"os"
)

// MaxPixels bounds width*height of the images that [Decode] and [LoadImage]
// accept (about 268 megapixels, well above any photo), so a tiny file that
// claims huge dimensions cannot exhaust memory.
const MaxPixels = 1 << 28

// Decode reads a JPEG, PNG or GIF image (the first frame of a GIF). It checks
// the header's dimensions before decoding the pixels; malformed or
// unsupported data gives an error, never a panic.
func Decode(r io.Reader) (image.Image, error) {
	return decodeLimited(r, MaxPixels)
}

// LoadImage opens and decodes the image file at path (see [Decode]). Errors
// name the file.
func LoadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("preprocess: %w", err)
	}
	defer f.Close()
	img, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("preprocess: %s: %w", path, err)
	}
	return img, nil
}

func decodeLimited(r io.Reader, maxPixels int64) (img image.Image, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading image: %w", err)
	}
	// The standard decoders are fuzzed and should not panic; this keeps the
	// promise even if one does on some input.
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("decoding image: decoder panicked: %v", p)
		}
	}()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decoding image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("decoding %s image: empty image %dx%d", format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, fmt.Errorf("decoding %s image: %dx%d exceeds %d pixels", format, cfg.Width, cfg.Height, maxPixels)
	}
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decoding %s image: %w", format, err)
	}
	if img.Bounds().Empty() {
		return nil, errors.New("decoding " + format + " image: empty image")
	}
	return img, nil
}
