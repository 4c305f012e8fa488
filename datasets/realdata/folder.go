package realdata

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/internal/parallel"
)

// imageExtensions are the file extensions listed as images (torchvision's ImageFolder list), compared in lower
// case. Formats the decoder does not read (e.g. .webp) give an error for their index when loaded.
var imageExtensions = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".ppm": true, ".bmp": true, ".pgm": true,
	".tif": true, ".tiff": true, ".webp": true,
}

// isImageFile reports whether name has an image extension and is not hidden.
func isImageFile(name string) bool {
	return !strings.HasPrefix(name, ".") && imageExtensions[strings.ToLower(filepath.Ext(name))]
}

// sample is one image file: its folder (an index into folderSet.dirs), its name and its label.
type sample struct {
	dir   int32
	label int32
	file  string
}

// folderSet is a Dataset of image files in class folders, decoded one per Example call.
type folderSet struct {
	name      string
	classes   []string
	templates []string
	root      string
	dirs      []string // folder names relative to root
	samples   []sample
	border    int // pixels cropped from every side of each image (ObjectNet)
}

// Name is the dataset's registry name.
func (d *folderSet) Name() string { return d.name }

// ClassNames are the class names, indexed by label.
func (d *folderSet) ClassNames() []string { return d.classes }

// Templates are the prompt templates.
func (d *folderSet) Templates() []string { return d.templates }

// Len is the number of image files.
func (d *folderSet) Len() int { return len(d.samples) }

// Path returns the file of example i.
func (d *folderSet) Path(i int) string {
	s := d.samples[i]
	return filepath.Join(d.root, d.dirs[s.dir], s.file)
}

// Example decodes image file i; a missing, unreadable or corrupt file gives an error naming it.
func (d *folderSet) Example(i int) (image.Image, int, error) {
	if i < 0 || i >= len(d.samples) {
		return nil, 0, fmt.Errorf("datasets: %s: index %d out of range [0, %d)", d.name, i, len(d.samples))
	}
	s := d.samples[i]
	img, err := preprocess.LoadImage(d.Path(i))
	if err != nil {
		return nil, 0, fmt.Errorf("datasets: %s: example %d: %w", d.name, i, err)
	}
	if d.border > 0 {
		img = cropBorder(img, d.border)
	}
	return img, int(s.label), nil
}

// limit keeps the first n samples (n > 0).
func (d *folderSet) limit(n int) {
	if n > 0 && n < len(d.samples) {
		d.samples = d.samples[:n:n]
	}
}

// cropBorder removes px pixels from each side of img; an image too small to crop is returned whole.
func cropBorder(img image.Image, px int) image.Image {
	b := img.Bounds()
	if b.Dx() <= 2*px || b.Dy() <= 2*px {
		return img
	}
	r := image.Rect(b.Min.X+px, b.Min.Y+px, b.Max.X-px, b.Max.Y-px)
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(r)
	}
	return subImage{img, r}
}

// subImage is a window of an image without a SubImage method.
type subImage struct {
	image.Image
	r image.Rectangle
}

// Bounds is the window.
func (s subImage) Bounds() image.Rectangle { return s.r }

// listClassDirs returns the sorted names of the sub-folders of root (following symbolic links), and the number
// of image files lying directly in root (a sign of an unsorted, flat layout).
func listClassDirs(root string) (dirs []string, looseImages int, err error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, 0, err
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if st, err := os.Stat(filepath.Join(root, name)); err == nil {
				isDir = st.IsDir()
			}
		}
		switch {
		case isDir:
			dirs = append(dirs, name)
		case isImageFile(name):
			looseImages++
		}
	}
	sort.Strings(dirs)
	return dirs, looseImages, nil
}

// listImages returns the sorted image file names in each of root/dirs[i], reading the folders concurrently.
func listImages(root string, dirs []string) ([][]string, error) {
	files := make([][]string, len(dirs))
	errs := make([]error, len(dirs))
	parallel.For(len(dirs), 8, func(i int) {
		entries, err := os.ReadDir(filepath.Join(root, dirs[i]))
		if err != nil {
			errs[i] = err
			return
		}
		for _, e := range entries {
			if !e.IsDir() && isImageFile(e.Name()) {
				files[i] = append(files[i], e.Name())
			}
		}
		sort.Strings(files[i])
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// interleave orders the files of every folder class by class: the first file of each folder in folder order, then
// the second, and so on, so that any prefix covers the classes evenly. labels[i] is the label of folder i.
func interleave(files [][]string, labels []int) []sample {
	total, longest := 0, 0
	for _, f := range files {
		total += len(f)
		longest = max(longest, len(f))
	}
	out := make([]sample, 0, total)
	for j := range longest {
		for i, f := range files {
			if j < len(f) {
				out = append(out, sample{dir: int32(i), label: int32(labels[i]), file: f[j]})
			}
		}
	}
	return out
}
