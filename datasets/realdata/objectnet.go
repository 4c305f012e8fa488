package realdata

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// ObjectNetBorder is the width in pixels of the border cropped from every side of each ObjectNet image before
// preprocessing: the release's images carry a 1-pixel red border, and the paper's code (src/datasets/objectnet.py,
// crop) cuts 2 pixels from each side, which this project follows.
const ObjectNetBorder = 2

// ObjectNet mapping files, in Location/objectnet-1.0/mappings. The folder map is tried under both names.
var (
	objectNetFolderMaps = []string{"folder_to_objectnet_label.json", "folder_to_objectnet_name.json"}
	objectNetToImageNet = "objectnet_to_imagenet_1k.json"
)

// objectNetSet is ObjectNet restricted to the classes that overlap ImageNet-1k.
type objectNetSet struct {
	*folderSet
	groups [][]int
}

// SubsetClasses lists, for each label, one ImageNet-1k class of it: the first of SubsetClassGroups.
func (s *objectNetSet) SubsetClasses() []int {
	out := make([]int, len(s.groups))
	for i, g := range s.groups {
		out[i] = g[0]
	}
	return out
}

// SubsetClassGroups lists, for each label, every ImageNet-1k class it maps to (e.g. "alarm clock" is both
// "analog clock" and "digital clock"); the paper scores a label by the maximum logit over its group.
func (s *objectNetSet) SubsetClassGroups() [][]int {
	out := make([][]int, len(s.groups))
	for i, g := range s.groups {
		out[i] = slices.Clone(g)
	}
	return out
}

// ObjectNet opens the 113 ObjectNet classes that overlap ImageNet-1k: images from
// Location/objectnet-1.0/images/<folder>/*.png, with the folder-to-name and name-to-ImageNet maps read from
// Location/objectnet-1.0/mappings. Labels follow the sorted folder names; class names are the lower-cased ObjectNet
// names; each image loses a border of ObjectNetBorder pixels. It has only the Test split and implements
// datasets.ClassSubset and datasets.ClassGroups.
func ObjectNet(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	const name = "ObjectNet"
	if err := evalOnly(name, opts.Split); err != nil {
		return nil, err
	}
	base := filepath.Join(opts.Location, "objectnet-1.0")
	folders, groups, classes, err := readObjectNetMappings(name, filepath.Join(base, "mappings"))
	if err != nil {
		return nil, err
	}
	labelOf := make(map[string]int, len(folders))
	for i, f := range folders {
		labelOf[f] = i
	}
	root := filepath.Join(base, "images")
	d, err := openFolders(folderSpec{
		name: name, root: root, expected: "ObjectNet images in " + root + "/<folder>/*.png",
		classes: classes, templates: templates.OpenAIImageNet, skipUnknown: true, border: ObjectNetBorder,
		labelOf: func(folder string) (int, bool) {
			i, ok := labelOf[folder]
			return i, ok
		},
	})
	if err != nil {
		return nil, err
	}
	d.limit(opts.Limit)
	return &objectNetSet{folderSet: d, groups: groups}, nil
}

// readObjectNetMappings reads the mapping files and returns, per label, the folder, the ImageNet-1k classes and
// the class name, labels ordered by folder name.
func readObjectNetMappings(name, dir string) (folders []string, groups [][]int, classes []string, err error) {
	const expected = "ObjectNet's mapping files (folder_to_objectnet_label.json, objectnet_to_imagenet_1k.json)"
	var folderToName map[string]string
	folderFile := filepath.Join(dir, objectNetFolderMaps[0])
	for _, f := range objectNetFolderMaps {
		if _, statErr := os.Stat(filepath.Join(dir, f)); statErr == nil {
			folderFile = filepath.Join(dir, f)
			break
		}
	}
	if err := readJSON(name, folderFile, expected, &folderToName); err != nil {
		return nil, nil, nil, err
	}
	var toImageNet map[string]string
	mapFile := filepath.Join(dir, objectNetToImageNet)
	if err := readJSON(name, mapFile, expected, &toImageNet); err != nil {
		return nil, nil, nil, err
	}
	byLabel := make(map[string][]int, len(ImageNetSynsetLabels))
	for i, l := range ImageNetSynsetLabels {
		byLabel[l] = append(byLabel[l], i)
	}
	folderOf := make(map[string]string, len(folderToName))
	for f, n := range folderToName {
		folderOf[n] = f
	}
	for objName := range toImageNet {
		if _, ok := folderOf[objName]; !ok {
			return nil, nil, nil, &LayoutError{Dataset: name, Path: mapFile, Expected: expected,
				Problem: fmt.Sprintf("class %q has no folder in %s", objName, filepath.Base(folderFile))}
		}
		folders = append(folders, folderOf[objName])
	}
	if len(folders) == 0 {
		return nil, nil, nil, &LayoutError{Dataset: name, Path: mapFile, Expected: expected, Problem: "maps no class"}
	}
	sort.Strings(folders)
	for _, f := range folders {
		objName := folderToName[f]
		var group []int
		for _, in := range strings.Split(toImageNet[objName], ";") {
			in = strings.TrimSpace(in)
			ids := byLabel[in]
			if len(ids) != 1 {
				return nil, nil, nil, &LayoutError{Dataset: name, Path: mapFile, Expected: expected,
					Problem: fmt.Sprintf("class %q maps to %q, which names %d ImageNet classes, not one", objName, in, len(ids))}
			}
			group = append(group, ids[0])
		}
		groups = append(groups, group)
		classes = append(classes, strings.ToLower(objName))
	}
	return folders, groups, classes, nil
}

// readJSON decodes the JSON file path into v.
func readJSON(name, path, expected string, v any) error {
	if err := requireFile(name, path, expected); err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("datasets: %s: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &LayoutError{Dataset: name, Path: path, Problem: "not valid: " + err.Error(), Expected: expected}
	}
	return nil
}
