package realdata

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// SplitFolder opens a class-folder dataset in ImageNet's layout under the given name: the Train split from
// dir/train/<class>/*, the Test split from dir/val/<class>/*. A dir without train/ is refused for training (a
// flat dir/<class>/ would train and evaluate on the same images) but serves as the Test split itself when it has
// no val/ either (an evaluation-only set, like ImageNet-Sketch's dir/<class>/*). When both train/ and val/ exist
// they must hold the same class folders (labels are positions in the sorted folder names, so a differing set would
// score one split's class as another's). Every class folder must hold image files directly (images in
// sub-folders are not read); folders whose names start with "." are not classes and are ignored. When every class
// folder is an ImageNet WordNet id (n01440764, ...), the classes are those synsets' ImageNet class names and the
// prompts the OpenAI ImageNet templates, so a few ImageNet classes make a small ImageNet-like task; otherwise the
// classes are the folder names and the prompts the paper code's simple template. Labels follow the sorted folder
// names.
func SplitFolder(name, dir string, split datasets.Split) (datasets.Dataset, error) {
	if err := checkSplit(name, split); err != nil {
		return nil, err
	}
	expected := "images in " + filepath.Join(dir, "{train,val}") + "/<class folder>/*"
	if err := requireDir(name, dir, expected); err != nil {
		return nil, err
	}
	trainDir, valDir := filepath.Join(dir, "train"), filepath.Join(dir, "val")
	hasTrain, hasVal := isDir(trainDir), isDir(valDir)
	layout := fmt.Sprintf("(ImageNet layout: %s/<class>/, %s/<class>/)", trainDir, valDir)
	root := dir
	switch {
	case split == datasets.Train && !hasTrain:
		return nil, fmt.Errorf("datasets: %s: %s has no train/ folder %s", name, dir, layout)
	case split == datasets.Train:
		root = trainDir
	case hasVal:
		root = valDir
	case hasTrain:
		return nil, fmt.Errorf("datasets: %s: %s has a train/ folder but no val/ folder %s", name, dir, layout)
	default:
		expected = "images in " + dir + "/<class folder>/* (an evaluation-only set) or " + expected
	}
	folders, _, err := listClassDirs(root)
	if err != nil {
		return nil, &LayoutError{Dataset: name, Path: root, Expected: expected, Problem: err.Error()}
	}
	if hasTrain && hasVal {
		if err := sameClassFolders(name, trainDir, valDir); err != nil {
			return nil, err
		}
	}
	classes, ts := folders, templates.Simple
	wnids := len(folders) > 0
	for _, f := range folders {
		if _, ok := ImageNetLabel(f); !ok {
			wnids = false
		}
	}
	if wnids {
		classes, ts = make([]string, len(folders)), templates.OpenAIImageNet
		for i, f := range folders {
			label, _ := ImageNetLabel(f)
			classes[i] = ImageNetClassNames[label]
		}
	}
	pos := make(map[string]int, len(folders))
	for i, f := range folders {
		pos[f] = i
	}
	return openFolders(folderSpec{
		name: name, root: root, expected: expected, classes: classes, templates: ts, everyClass: true,
		labelOf: func(folder string) (int, bool) {
			i, ok := pos[folder]
			return i, ok
		},
	})
}

// isDir reports whether path is a folder (or a link to one).
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// sameClassFolders refuses train and val folders whose class folders differ, naming the differences.
func sameClassFolders(name, trainDir, valDir string) error {
	tr, _, err := listClassDirs(trainDir)
	if err != nil {
		return fmt.Errorf("datasets: %s: %w", name, err)
	}
	va, _, err := listClassDirs(valDir)
	if err != nil {
		return fmt.Errorf("datasets: %s: %w", name, err)
	}
	if slices.Equal(tr, va) {
		return nil
	}
	var onlyTrain, onlyVal []string
	for _, f := range tr {
		if !slices.Contains(va, f) {
			onlyTrain = append(onlyTrain, f)
		}
	}
	for _, f := range va {
		if !slices.Contains(tr, f) {
			onlyVal = append(onlyVal, f)
		}
	}
	var parts []string
	if len(onlyTrain) > 0 {
		parts = append(parts, fmt.Sprintf("only in %s: %s", trainDir, firstFew(onlyTrain)))
	}
	if len(onlyVal) > 0 {
		parts = append(parts, fmt.Sprintf("only in %s: %s", valDir, firstFew(onlyVal)))
	}
	return fmt.Errorf("datasets: %s: train/ and val/ must hold the same class folders (labels follow the sorted "+
		"folder names); %s", name, strings.Join(parts, "; "))
}
