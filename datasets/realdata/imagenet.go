package realdata

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// wnidLabel is the labelOf of the 1000-class ImageNet layouts: the folder is a WordNet id.
func wnidLabel(folder string) (int, bool) { return ImageNetLabel(folder) }

// ImageNet opens ImageNet-1k: the Train split from Location/imagenet/train/<wnid>/*.JPEG, the Test split from
// Location/imagenet/val_in_folder/<wnid>/ when present, else Location/imagenet/val/<wnid>/ (validation images sorted
// into class folders), as the paper's code does. Labels are positions in ImageNetWNIDs; names ImageNetClassNames.
func ImageNet(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	d, err := openImageNet("ImageNet", opts)
	if err != nil {
		return nil, err
	}
	d.limit(opts.Limit)
	return d, nil
}

// openImageNet opens the ImageNet split of opts under the given name.
func openImageNet(name string, opts datasets.Options) (*folderSet, error) {
	if err := checkSplit(name, opts.Split); err != nil {
		return nil, err
	}
	base := filepath.Join(opts.Location, "imagenet")
	root := filepath.Join(base, "train")
	expected := "ImageNet training images in " + root + "/<wnid>/*.JPEG"
	if opts.Split == datasets.Test {
		root = filepath.Join(base, "val_in_folder")
		if _, err := os.Stat(root); err != nil {
			root = filepath.Join(base, "val")
		}
		expected = "ImageNet validation images sorted into class folders, " + root + "/<wnid>/*.JPEG"
	}
	return openFolders(folderSpec{
		name: name, root: root, expected: expected, classes: ImageNetClassNames, templates: templates.OpenAIImageNet,
		labelOf: wnidLabel,
	})
}

// ImageNetV2 opens ImageNetV2 (MatchedFrequency) from Location/imagenetv2-matched-frequency-format-val/<0..999>/*.jpeg,
// whose folders are ImageNet-1k labels. It has only the Test split.
func ImageNetV2(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	const name = "ImageNetV2"
	if err := evalOnly(name, opts.Split); err != nil {
		return nil, err
	}
	root := filepath.Join(opts.Location, "imagenetv2-matched-frequency-format-val")
	d, err := openFolders(folderSpec{
		name: name, root: root, expected: "ImageNetV2 images in " + root + "/<class index 0..999>/*.jpeg",
		classes: ImageNetClassNames, templates: templates.OpenAIImageNet,
		labelOf: func(folder string) (int, bool) {
			i, err := strconv.Atoi(folder)
			return i, err == nil && i >= 0 && i < len(ImageNetWNIDs) && strconv.Itoa(i) == folder
		},
	})
	if err != nil {
		return nil, err
	}
	d.limit(opts.Limit)
	return d, nil
}

// ImageNetSketch opens ImageNet-Sketch from Location/sketch/<wnid>/*. It has only the Test split.
func ImageNetSketch(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	const name = "ImageNetSketch"
	if err := evalOnly(name, opts.Split); err != nil {
		return nil, err
	}
	root := filepath.Join(opts.Location, "sketch")
	d, err := openFolders(folderSpec{
		name: name, root: root, expected: "ImageNet-Sketch images in " + root + "/<wnid>/*",
		classes: ImageNetClassNames, templates: templates.OpenAIImageNet, labelOf: wnidLabel,
	})
	if err != nil {
		return nil, err
	}
	d.limit(opts.Limit)
	return d, nil
}

// subsetSet is a folder dataset covering some ImageNet classes; it implements datasets.ClassSubset.
type subsetSet struct {
	*folderSet
	subset []int
}

// SubsetClasses lists, for each label, the ImageNet-1k label of the class.
func (s *subsetSet) SubsetClasses() []int { return slices.Clone(s.subset) }

// ImageNetR opens ImageNet-R (renditions of 200 ImageNet classes) from Location/imagenet-r/<wnid>/*. Labels index
// ImageNetRClasses, which SubsetClasses returns. It has only the Test split.
func ImageNetR(opts datasets.Options) (datasets.Dataset, error) {
	return openSubset("ImageNetR", "imagenet-r", "ImageNet-R", ImageNetRClasses, withDefaults(opts))
}

// ImageNetA opens ImageNet-A (natural adversarial examples of 200 ImageNet classes) from Location/imagenet-a/<wnid>/*.
// Labels index ImageNetAClasses, which SubsetClasses returns. It has only the Test split.
func ImageNetA(opts datasets.Options) (datasets.Dataset, error) {
	return openSubset("ImageNetA", "imagenet-a", "ImageNet-A", ImageNetAClasses, withDefaults(opts))
}

// openSubset opens a 200-class ImageNet subset laid out as dir/<wnid>/*.
func openSubset(name, dir, title string, subset []int, opts datasets.Options) (datasets.Dataset, error) {
	if err := evalOnly(name, opts.Split); err != nil {
		return nil, err
	}
	pos := make(map[string]int, len(subset))
	classes := make([]string, len(subset))
	for i, c := range subset {
		pos[ImageNetWNIDs[c]] = i
		classes[i] = ImageNetClassNames[c]
	}
	root := filepath.Join(opts.Location, dir)
	d, err := openFolders(folderSpec{
		name: name, root: root, expected: title + " images in " + root + "/<wnid of one of its 200 classes>/*",
		classes: classes, templates: templates.OpenAIImageNet,
		labelOf: func(folder string) (int, bool) {
			i, ok := pos[folder]
			return i, ok
		},
	})
	if err != nil {
		return nil, err
	}
	d.limit(opts.Limit)
	return &subsetSet{folderSet: d, subset: slices.Clone(subset)}, nil
}
