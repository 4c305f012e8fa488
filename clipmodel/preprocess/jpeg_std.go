//go:build !cgo || noturbojpeg

package preprocess

import "image"

// TurboJPEG reports whether JPEGs are decoded by libjpeg-turbo (a cgo build
// without the noturbojpeg tag) rather than by Go's image/jpeg.
const TurboJPEG = false

// decodeTurbo is not built in: every JPEG goes to Go's image/jpeg, which has
// no DCT-domain scaling, so Transform.DCTScaling changes nothing.
func decodeTurbo([]byte, int64, int) (image.Image, bool, error) { return nil, false, nil }
