package preprocess

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // register GIF
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG
	"io"

	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/internal/sysmem"
)

// MaxPixels bounds width*height of the images that [Decode] and [LoadImage] accept: PIL's decompression-bomb
// limit (twice Image.MAX_IMAGE_PIXELS, 178,956,970 pixels, about 13,377 × 13,377), so a small file that claims
// huge dimensions cannot exhaust memory. A decoded image takes 4 bytes a pixel (up to 716 MB at the limit).
const MaxPixels = 2 * 89478485

// Decode reads a JPEG, PNG or GIF image (the first frame of a GIF). It checks the header's dimensions before
// decoding the pixels; malformed or unsupported data gives an error, never a panic. Only what the decoder needs is
// read from r.
func Decode(r io.Reader) (image.Image, error) {
	return decodeLimited(r, MaxPixels)
}

// LoadImage opens and decodes the image file at path (see [Decode]). A path that is not a regular file (a
// named pipe, a device) is refused before it is read. Errors name the file.
func LoadImage(path string) (image.Image, error) {
	f, _, err := fileio.Open(path)
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
	// The standard decoders are fuzzed and should not panic; this keeps the promise even if one does on some input.
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("decoding image: decoder panicked: %v", p)
		}
	}()
	// The header is read through a recorder, then decoding starts again from the recorded bytes and continues on
	// r: the file is never read whole (a huge file, or one that never ends, costs only what the decoder reads).
	var head bytes.Buffer
	br := bufio.NewReader(io.TeeReader(r, &head))
	cfg, format, err := image.DecodeConfig(br)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("decoding image: the file ends inside its header: %w", err)
		}
		return nil, fmt.Errorf("decoding image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("decoding %s image: empty image %dx%d", format, cfg.Width, cfg.Height)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if pixels > maxPixels {
		return nil, fmt.Errorf("decoding %s image: %dx%d is %d pixels, more than the %d allowed (PIL's decompression-bomb limit)",
			format, cfg.Width, cfg.Height, pixels, maxPixels)
	}
	if pixels > 1<<24 { // above 16 megapixels, a decode is worth checking against the memory left
		if err := sysmem.Check(fmt.Sprintf("decoding a %dx%d %s image", cfg.Width, cfg.Height, format), 8*pixels); err != nil {
			return nil, err
		}
	}
	img, _, err = image.Decode(io.MultiReader(bytes.NewReader(head.Bytes()), r))
	if err != nil {
		return nil, fmt.Errorf("decoding %s image: %w", format, err)
	}
	if img.Bounds().Empty() {
		return nil, errors.New("decoding " + format + " image: empty image")
	}
	return img, nil
}
