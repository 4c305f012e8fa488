package realdata

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/templates"
)

// ImageFolder opens a folder of images for zero-shot classification or evaluation. With class sub-folders
// (dir/<class>/<images>, torchvision's ImageFolder layout) the labels follow the sorted folder names, the class
// names are classNames when given (one per folder, in sorted-folder order) or the folder names, and labelled is
// true. Without sub-folders every image of dir is listed with label 0, classNames (required) are the candidate
// classes, and labelled is false. Image files have the extensions of torchvision's ImageFolder; limitPerClass > 0
// keeps the first limitPerClass files (by name) of each class folder (of the folder, without classes). Examples
// are ordered class-interleaved, as every class-folder dataset of this package, and use the paper code's simple
// template.
//
//	ds, labelled, err := realdata.ImageFolder("photos", []string{"cat", "dog"}, 0)
func ImageFolder(dir string, classNames []string, limitPerClass int) (ds datasets.Dataset, labelled bool, err error) {
	name := filepath.Base(filepath.Clean(dir))
	const expected = "images in <dir>/<class folder>/*, or directly in <dir> with the candidate class names given"
	if err := requireDir(name, dir, expected); err != nil {
		return nil, false, err
	}
	folders, loose, err := listClassDirs(dir)
	if err != nil {
		return nil, false, fmt.Errorf("datasets: %s: %w", name, err)
	}
	if len(folders) == 0 {
		if len(classNames) == 0 {
			return nil, false, &LayoutError{Dataset: name, Path: dir, Expected: expected,
				Problem: fmt.Sprintf("no class folders (and %d loose images): give the candidate class names", loose)}
		}
		files, err := listImages(dir, []string{"."})
		if err != nil {
			return nil, false, fmt.Errorf("datasets: %s: %w", name, err)
		}
		if len(files[0]) == 0 {
			return nil, false, &LayoutError{Dataset: name, Path: dir, Expected: expected, Problem: "no image files"}
		}
		keepFirst(files, limitPerClass)
		return &folderSet{name: name, classes: slices.Clone(classNames), templates: templates.Simple, root: dir,
			dirs: []string{"."}, samples: interleave(files, []int{0})}, false, nil
	}
	classes := folders
	if len(classNames) > 0 {
		if len(classNames) != len(folders) {
			return nil, false, &LayoutError{Dataset: name, Path: dir, Expected: expected,
				Problem: fmt.Sprintf("%d class folders but %d class names were given", len(folders), len(classNames))}
		}
		classes = slices.Clone(classNames)
	}
	pos := make(map[string]int, len(folders))
	for i, f := range folders {
		pos[f] = i
	}
	d, err := openFolders(folderSpec{name: name, root: dir, expected: expected, classes: classes,
		templates: templates.Simple, perClass: limitPerClass,
		labelOf: func(folder string) (int, bool) { i, ok := pos[folder]; return i, ok }})
	if err != nil {
		return nil, false, err
	}
	return d, true, nil
}

// keepFirst cuts each list to its first n names (n ≤ 0: all).
func keepFirst(files [][]string, n int) {
	if n <= 0 {
		return
	}
	for i := range files {
		if len(files[i]) > n {
			files[i] = files[i][:n:n]
		}
	}
}

// WriteImageFolder writes the first n examples of each class of ds as PNG files under dir/<class name>/ (the
// layout ImageFolder reads; a "/" in a class name becomes "_"), each file written atomically. Files already there
// under the same names are refused, not replaced.
//
//	err := realdata.WriteImageFolder(digits, 4, "out/digit-folder")
func WriteImageFolder(ds datasets.Dataset, n int, dir string) error {
	if n <= 0 {
		return fmt.Errorf("datasets: writing %s as a folder: %d images per class", ds.Name(), n)
	}
	names := ds.ClassNames()
	count := make([]int, len(names))
	for i := 0; i < ds.Len() && slices.Min(count) < n; i++ {
		img, label, err := ds.Example(i)
		if err != nil {
			return err
		}
		if label < 0 || label >= len(names) {
			return fmt.Errorf("datasets: %s example %d: label %d outside its %d classes", ds.Name(), i, label, len(names))
		}
		if count[label] >= n {
			continue
		}
		sub := filepath.Join(dir, strings.ReplaceAll(names[label], "/", "_"))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		path := filepath.Join(sub, fmt.Sprintf("%s-%05d.png", ds.Name(), i))
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("datasets: %s already exists; not replacing it", path)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return err
		}
		if err := atomicfile.Write(path, buf.Bytes()); err != nil {
			return err
		}
		count[label]++
	}
	return nil
}
