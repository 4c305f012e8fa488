package realdata

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// ClassFolder opens any image dataset laid out as dir/<class folder>/<images>: labels follow the sorted folder
// names, and the class names are read from classNamesFile (one name per line, in sorted-folder order; blank lines
// at the end are ignored) or, when classNamesFile is empty, are the folder names. The dataset is named after dir
// and uses the paper code's simple template ("a photo of a {}.").
func ClassFolder(dir, classNamesFile string) (datasets.Dataset, error) {
	name := filepath.Base(filepath.Clean(dir))
	expected := "images in " + dir + "/<class folder>/*"
	if err := requireDir(name, dir, expected); err != nil {
		return nil, err
	}
	folders, _, err := listClassDirs(dir)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", name, err)
	}
	classes := folders
	if classNamesFile != "" {
		if classes, err = readClassNames(name, classNamesFile, len(folders)); err != nil {
			return nil, err
		}
	}
	pos := make(map[string]int, len(folders))
	for i, f := range folders {
		pos[f] = i
	}
	d, err := openFolders(folderSpec{
		name: name, root: dir, expected: expected, classes: classes, templates: templates.Simple,
		labelOf: func(folder string) (int, bool) {
			i, ok := pos[folder]
			return i, ok
		},
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// readClassNames reads one class name per line and checks that there are want of them.
func readClassNames(name, path string, want int) ([]string, error) {
	const expected = "one class name per line, in sorted class-folder order"
	if err := requireFile(name, path, expected); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", name, err)
	}
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n \t"), "\n")
	names := make([]string, 0, len(lines))
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			return nil, &LayoutError{Dataset: name, Path: path, Expected: expected, Problem: fmt.Sprintf("line %d is empty", i+1)}
		}
		names = append(names, l)
	}
	if len(names) != want {
		return nil, &LayoutError{Dataset: name, Path: path, Expected: expected,
			Problem: fmt.Sprintf("%d class names for %d class folders", len(names), want)}
	}
	return names, nil
}
