//go:build cgo && !noturbojpeg

package preprocess

// libjpeg-turbo through its TurboJPEG API (Debian: libturbojpeg0-dev), the
// 2.x functions tjDecompressHeader3 and tjDecompress2, which libjpeg-turbo
// 3.x keeps. Pillow decodes JPEGs with the same library through its libjpeg
// API with the library's defaults: the accurate integer IDCT (JDCT_ISLOW)
// and "fancy" (triangle-filter) chroma upsampling, which are TurboJPEG's
// defaults too (no TJFLAG_FASTDCT, no TJFLAG_FASTUPSAMPLE). With the same
// library and settings the decoded pixels are Pillow's, bit for bit.

/*
#cgo LDFLAGS: -lturbojpeg
#include <string.h>
#include <turbojpeg.h>

#define WISEFT_MSG_LEN 256

// TurboJPEG 2.x keeps libjpeg's messages in a thread-local buffer, and two
// cgo calls may run on different threads: each helper below does its work
// and copies the message (and its severity) in one call.

static void wiseft_message(tjhandle h, char *msg, int *code) {
	strncpy(msg, tjGetErrorStr2(h), WISEFT_MSG_LEN - 1);
	msg[WISEFT_MSG_LEN - 1] = 0;
	*code = h ? tjGetErrorCode(h) : TJERR_FATAL;
}

static int wiseft_header(const unsigned char *src, unsigned long size, int *w, int *h, int *colorspace,
		char *msg, int *code) {
	int subsamp;
	tjhandle t = tjInitDecompress();
	if (!t) {
		wiseft_message(NULL, msg, code);
		return -1;
	}
	int ret = tjDecompressHeader3(t, src, size, w, h, &subsamp, colorspace);
	if (ret) wiseft_message(t, msg, code);
	tjDestroy(t);
	return ret;
}

static int wiseft_decompress(const unsigned char *src, unsigned long size, unsigned char *dst, int w, int pitch,
		int h, int pf, int flags, char *msg, int *code) {
	tjhandle t = tjInitDecompress();
	if (!t) {
		wiseft_message(NULL, msg, code);
		return -1;
	}
	int ret = tjDecompress2(t, src, size, dst, w, pitch, h, pf, flags);
	if (ret) wiseft_message(t, msg, code);
	tjDestroy(t);
	return ret;
}
*/
import "C"

import (
	"fmt"
	"image"
	"strings"
	"unsafe"
)

// TurboJPEG reports whether JPEGs are decoded by libjpeg-turbo (a cgo build
// without the noturbojpeg tag) rather than by Go's image/jpeg.
const TurboJPEG = true

// turboFlags: the accurate IDCT, stated although it is the default, and a
// bound of 500 scans on progressive JPEGs, so a crafted file cannot keep the
// decoder busy for minutes (real progressive JPEGs have about ten).
const turboFlags = C.TJFLAG_ACCURATEDCT | C.TJFLAG_LIMITSCANS

// decodeTurbo decodes a JPEG with libjpeg-turbo, reduced by jpegScale(w, h,
// draftSize) in the DCT domain. handled is false for JPEGs it leaves to Go's
// decoder: CMYK and YCCK ones, which Pillow keeps as CMYK (the transform then
// converts them as Go's decoder does).
func decodeTurbo(data []byte, maxPixels int64, draftSize int) (img image.Image, handled bool, err error) {
	src := (*C.uchar)(unsafe.Pointer(&data[0]))
	size := C.ulong(len(data))
	var msg [C.WISEFT_MSG_LEN]C.char
	var w, ht, colorspace, code C.int
	if C.wiseft_header(src, size, &w, &ht, &colorspace, &msg[0], &code) != 0 {
		// Even a warning here means the header could not be read.
		return nil, true, fmt.Errorf("decoding jpeg image: %s", C.GoString(&msg[0]))
	}
	if err := checkSize("jpeg", int(w), int(ht), maxPixels); err != nil {
		return nil, true, err
	}
	if colorspace == C.TJCS_CMYK || colorspace == C.TJCS_YCCK {
		return nil, false, nil
	}
	s := jpegScale(int(w), int(ht), draftSize)
	ow, oh := (int(w)+s-1)/s, (int(ht)+s-1)/s // TJSCALED(dim, 1/s)
	var pix []uint8
	var pitch int
	pf := C.int(C.TJPF_RGB)
	if colorspace == C.TJCS_GRAY {
		g := image.NewGray(image.Rect(0, 0, ow, oh))
		img, pix, pitch, pf = g, g.Pix, g.Stride, C.TJPF_GRAY
	} else {
		m := NewRGB(image.Rect(0, 0, ow, oh))
		img, pix, pitch = m, m.Pix, m.Stride
	}
	if C.wiseft_decompress(src, size, (*C.uchar)(unsafe.Pointer(&pix[0])), C.int(ow), C.int(pitch), C.int(oh), pf,
		turboFlags, &msg[0], &code) != 0 {
		if err := turboError(&msg[0], code); err != nil {
			return nil, true, err
		}
	}
	return img, true, nil
}

// turboError is the error a helper reported, or nil for a warning that Pillow
// also decodes through (corrupt data that libjpeg recovers from, such as
// extraneous bytes before a marker). A file that ends early is an error, as
// it is for Pillow ("image file is truncated") and for Go's decoder.
func turboError(msg *C.char, code C.int) error {
	s := C.GoString(msg)
	if code == C.TJERR_WARNING && !strings.Contains(s, "Premature end") {
		return nil
	}
	return fmt.Errorf("decoding jpeg image: %s", s)
}
