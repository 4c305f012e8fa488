package realdata

import (
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// SplitFolder opens a class-folder dataset in ImageNet's layout under the given name: the Train split from
// dir/train/<class>/*, the Test split from dir/val/<class>/*; a dir without a folder for the split is itself the
// split's class folders. When every class folder is an ImageNet WordNet id (n01440764, ...), the classes are
// those synsets' ImageNet class names and the prompts the OpenAI ImageNet templates, so a few ImageNet classes
// make a small ImageNet-like task; otherwise the classes are the folder names and the prompts the paper code's
// simple template. Labels follow the sorted folder names.
func SplitFolder(name, dir string, split datasets.Split) (datasets.Dataset, error) {
	if err := checkSplit(name, split); err != nil {
		return nil, err
	}
	sub := "val"
	if split == datasets.Train {
		sub = "train"
	}
	root := filepath.Join(dir, sub)
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		root = dir
	}
	expected := "images in " + filepath.Join(dir, "{train,val}") + "/<class folder>/* (or " + dir + "/<class folder>/*)"
	if err := requireDir(name, root, expected); err != nil {
		return nil, err
	}
	folders, _, err := listClassDirs(root)
	if err != nil {
		return nil, &LayoutError{Dataset: name, Path: root, Expected: expected, Problem: err.Error()}
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
		name: name, root: root, expected: expected, classes: classes, templates: ts,
		labelOf: func(folder string) (int, bool) {
			i, ok := pos[folder]
			return i, ok
		},
	})
}
