package main

// The images of `wiseft embed`: folders expanded, headers checked before any decoding, batches decoded one image
// at a time, embeddings checked.

import (
	"fmt"
	"image"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/internal/fileio"
)

// checkImageHeader reads only the header of an image file, so that a file that is not an image fails before any
// image is decoded. Errors name the file, as preprocess.LoadImage's do.
func checkImageHeader(path string) error {
	f, _, err := fileio.Open(path) // a named pipe or a device is refused, not waited on
	if err != nil {
		return fmt.Errorf("preprocess: %w", err)
	}
	defer f.Close()
	if _, _, err := image.DecodeConfig(f); err != nil {
		return fmt.Errorf("preprocess: %s: decoding image: %w", path, err)
	}
	return nil
}

// encodeImageFiles decodes, preprocesses and embeds the image files batch images at a time, so that only one
// batch of pixels is held in memory whatever the number of files. Each image is preprocessed as soon as it is
// decoded, so only one decoded image (up to preprocess.MaxPixels) is held at a time, never a batch of them.
func encodeImageFiles(enc *clipmodel.Encoder, m *clipmodel.Model, files []string, batch int) ([]float32, error) {
	var emb []float32
	per := m.Transform.Len()
	for lo := 0; lo < len(files); lo += batch {
		hi := min(lo+batch, len(files))
		pixels := make([]float32, 0, (hi-lo)*per)
		for _, path := range files[lo:hi] {
			img, err := preprocess.LoadImage(path)
			if err != nil {
				return nil, err
			}
			pixels = append(pixels, m.Transform.Eval(img)...)
		}
		e, err := enc.EncodeImages(pixels, hi-lo)
		if err != nil {
			return nil, err
		}
		emb = append(emb, e...)
	}
	return emb, nil
}

var imageExtensions = []string{".jpg", ".jpeg", ".png", ".gif"}

// expandImages replaces folders by the image files under them (sorted); files named directly are kept whatever
// their extension, so a non-image file named on the command line gets a decoding error naming it.
func expandImages(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := fileio.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("--images: %w", err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && slices.Contains(imageExtensions, strings.ToLower(filepath.Ext(path))) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("folder %s holds no JPEG, PNG or GIF image", p)
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

func dim(m *clipmodel.Model) int { return m.Config.ProjectionDim }

// finiteEmbeddings refuses embeddings that are not finite numbers (weights that overflow in the forward pass):
// a table of NaN% or a file of NaN is not a result.
func finiteEmbeddings(kind string, emb []float32, dim int, names []string) error {
	for i, v := range emb {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			which := fmt.Sprintf("%s %d", kind, i/dim+1)
			if k := i / dim; k < len(names) {
				which = fmt.Sprintf("%s %s", kind, quoteValue(names[k]))
			}
			return fmt.Errorf("the embedding of %s is not finite (%g): the model's weights overflow on this input", which, v)
		}
	}
	return nil
}
