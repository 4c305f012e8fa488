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

	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/internal/sysmem"
)

// MaxPixels bounds width*height of the images that [Decode] and [LoadImage] accept: PIL's decompression-bomb
// limit (twice Image.MAX_IMAGE_PIXELS, 178,956,970 pixels, about 13,377 × 13,377), so a small file that claims
// huge dimensions cannot exhaust memory. A decoded image takes 4 bytes a pixel (up to 716 MB at the limit).
const MaxPixels = 2 * 89478485

// MaxFileBytes bounds the size of an image file (or stream) that is read: 1 GiB, far above any photo, so that a
// huge file or a stream that never ends is an error rather than the process's memory.
const MaxFileBytes = 1 << 30

// Decode reads a JPEG, PNG or GIF image (the first frame of a GIF). It checks
// the header's dimensions before decoding the pixels; malformed or
// unsupported data gives an error, never a panic.
//
// JPEGs are decoded by libjpeg-turbo when the package is built with cgo (see
// [TurboJPEG]), giving the pixels Pillow gives; colour JPEGs come back as
// [*RGB], grayscale ones as *image.Gray. Without cgo, and for CMYK JPEGs,
// Go's image/jpeg decodes them (*image.YCbCr, *image.Gray, *image.CMYK).
func Decode(r io.Reader) (image.Image, error) {
	return decodeLimited(r, MaxPixels, decodeOptions{})
}

// LoadImage opens and decodes the image file at path (see [Decode]). A path that is not a regular file (a named
// pipe, a device) is refused before it is read. Errors name the file.
func LoadImage(path string) (image.Image, error) {
	return loadImage(path, decodeOptions{})
}

// DecodeEval is [Decode] for an image about to go through t's [Transform.Eval]:
// with t.DCTScaling set, a JPEG at least twice as large as the size Eval
// resizes it to is decoded at 1/2, 1/4 or 1/8 of its size in the DCT domain,
// the largest reduction that keeps it at least that large (what Pillow's
// Image.draft("RGB", size) chooses). Without DCTScaling, or without cgo,
// it is Decode.
func (t Transform) DecodeEval(r io.Reader) (image.Image, error) {
	return decodeLimited(r, MaxPixels, decodeOptions{draftSize: t.draftSize()})
}

// LoadEval is [Transform.DecodeEval] for the image file at path. Errors name
// the file.
func (t Transform) LoadEval(path string) (image.Image, error) {
	return loadImage(path, decodeOptions{draftSize: t.draftSize()})
}

// draftSize is the shorter side Eval resizes to when DCT scaling is on, else 0.
func (t Transform) draftSize() int {
	if !t.DCTScaling {
		return 0
	}
	return t.Size
}

// decodeOptions choose how an image is decoded.
type decodeOptions struct {
	// draftSize > 0 allows DCT-domain reduction of JPEGs that stay at least
	// as large as the shorter side resized to draftSize (see jpegScale).
	draftSize int
	// pureGo decodes JPEGs with image/jpeg even where libjpeg-turbo is
	// built in (tests and benchmarks of the pure-Go path).
	pureGo bool
}

func loadImage(path string, opt decodeOptions) (image.Image, error) {
	f, _, err := fileio.Open(path)
	if err != nil {
		return nil, fmt.Errorf("preprocess: %w", err)
	}
	defer f.Close()
	img, err := decodeLimited(f, MaxPixels, opt)
	if err != nil {
		return nil, fmt.Errorf("preprocess: %s: %w", path, err)
	}
	return img, nil
}

// isJPEG reports whether data starts with a JPEG start-of-image marker.
func isJPEG(data []byte) bool {
	return len(data) >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff
}

func decodeLimited(r io.Reader, maxPixels int64, opt decodeOptions) (img image.Image, err error) {
	data, buf, err := readAll(r)
	defer putBytes(buf) // no decoder keeps its input
	if err != nil {
		return nil, fmt.Errorf("reading image: %w", err)
	}
	// The decoders are fuzzed and should not panic; this keeps the promise
	// even if one does on some input.
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("decoding image: decoder panicked: %v", p)
		}
	}()
	if TurboJPEG && !opt.pureGo && isJPEG(data) {
		img, handled, err := decodeTurbo(data, maxPixels, opt.draftSize)
		if handled || err != nil {
			return img, err
		}
	}
	return decodeStd(data, maxPixels)
}

// readAll reads r to the end, at most MaxFileBytes. A regular file is read into a pooled buffer of its size,
// returned as buf for putBytes once the data is decoded; other readers give a buffer of their own (buf nil).
// libjpeg-turbo decodes from memory, so a JPEG is read whole; the header's dimensions are still checked before any
// pixel is decoded.
func readAll(r io.Reader) (data []byte, buf *[]uint8, err error) {
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileBytes {
			return nil, nil, fmt.Errorf("the file is %d bytes, more than the %d an image may have", st.Size(), MaxFileBytes)
		}
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > 0 {
			buf = getBytes(int(st.Size()))
			n, err := io.ReadFull(f, *buf)
			if err == io.ErrUnexpectedEOF {
				err = nil // the file shrank: decode what is there
			}
			if err == nil && n == len(*buf) {
				// It may also have grown since Stat: read the rest (within the bound).
				rest, e := readBounded(f, MaxFileBytes-int64(n))
				if len(rest) > 0 {
					return append((*buf)[:n:n], rest...), buf, e
				}
				err = e
			}
			return (*buf)[:n], buf, err
		}
	}
	data, err = readBounded(r, MaxFileBytes)
	return data, nil, err
}

// readBounded reads r to the end, refusing more than limit bytes.
func readBounded(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(data)) > limit {
		return nil, fmt.Errorf("the image data go on past %d bytes, more than an image may have", MaxFileBytes)
	}
	return data, err
}

// decodeStd decodes data with the standard library's registered decoders.
func decodeStd(data []byte, maxPixels int64) (image.Image, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("decoding image: the file ends inside its header: %w", err)
		}
		return nil, fmt.Errorf("decoding image: %w", err)
	}
	if err := checkSize(format, cfg.Width, cfg.Height, maxPixels); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decoding %s image: %w", format, err)
	}
	if img.Bounds().Empty() {
		return nil, errors.New("decoding " + format + " image: empty image")
	}
	return img, nil
}

// checkSize refuses empty images, those over maxPixels pixels, and large ones the machine has no memory left for.
func checkSize(format string, w, h int, maxPixels int64) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("decoding %s image: empty image %dx%d", format, w, h)
	}
	pixels := int64(w) * int64(h)
	if pixels > maxPixels {
		return fmt.Errorf("decoding %s image: %dx%d is %d pixels, more than the %d allowed (PIL's decompression-bomb limit)",
			format, w, h, pixels, maxPixels)
	}
	if pixels > 1<<24 { // above 16 megapixels, a decode is worth checking against the memory left
		if err := sysmem.Check(fmt.Sprintf("decoding a %dx%d %s image", w, h, format), 8*pixels); err != nil {
			return err
		}
	}
	return nil
}

// jpegScale is the DCT-domain reduction (1, 2, 4 or 8) for a w×h JPEG whose
// shorter side is to be resized to size (0: no reduction): the largest power
// of two s ≤ 8 with w/s ≥ nw and h/s ≥ nh in integer division, (nw, nh)
// being [ResizedSize]; Pillow's Image.draft(mode, (nw, nh)) picks the same.
func jpegScale(w, h, size int) int {
	if size <= 0 {
		return 1
	}
	nw, nh := ResizedSize(w, h, size)
	if nw <= 0 || nh <= 0 {
		return 1
	}
	f := min(w/nw, h/nh)
	for _, s := range []int{8, 4, 2} {
		if f >= s {
			return s
		}
	}
	return 1
}
