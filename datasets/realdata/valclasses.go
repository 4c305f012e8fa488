package realdata

import (
	"fmt"
	"path/filepath"

	"github.com/gowiseft/wiseft/datasets"
)

// The *ValClasses datasets are ImageNet's validation images of the classes a shift covers, labelled and scored in
// the shift's label space (the paper code's ImageNetSubsampleValClasses and its kin): they tell how much of a
// shift's accuracy drop comes from its class subset rather than from its images.

// groupedSet is a folder dataset whose labels each cover some ImageNet-1k classes.
type groupedSet struct {
	*folderSet
	groups [][]int
}

// SubsetClassGroups lists, per label, its ImageNet-1k classes.
func (d *groupedSet) SubsetClassGroups() [][]int { return cloneGroups(d.groups) }

// ImageNetRValClasses is ImageNet's validation set restricted to ImageNet-R's 200 classes, labelled as ImageNetR.
func ImageNetRValClasses(opts datasets.Options) (datasets.Dataset, error) {
	return subsetValClasses("ImageNetRValClasses", ImageNetRClasses, withDefaults(opts))
}

// ImageNetAValClasses is ImageNet's validation set restricted to ImageNet-A's 200 classes, labelled as ImageNetA.
func ImageNetAValClasses(opts datasets.Options) (datasets.Dataset, error) {
	return subsetValClasses("ImageNetAValClasses", ImageNetAClasses, withDefaults(opts))
}

func subsetValClasses(name string, subset []int, opts datasets.Options) (datasets.Dataset, error) {
	groups := make([][]int, len(subset))
	names := make([]string, len(subset))
	for i, c := range subset {
		groups[i], names[i] = []int{c}, ImageNetClassNames[c]
	}
	d, err := valClasses(name, names, groups, 0, opts)
	if err != nil {
		return nil, err
	}
	return &subsetSet{folderSet: d.folderSet, subset: subset}, nil
}

// ObjectNetValClasses is ImageNet's validation set restricted to the ImageNet classes of ObjectNet's 113, labelled
// as ObjectNet (its mapping files are read from Location/objectnet-1.0/mappings); like ObjectNet, each image loses
// ObjectNetBorder pixels per side first, as the paper's code crops every image of its ObjectNet datasets.
func ObjectNetValClasses(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	const name = "ObjectNetValClasses"
	_, groups, classes, err := readObjectNetMappings(name, filepath.Join(opts.Location, "objectnet-1.0", "mappings"))
	if err != nil {
		return nil, err
	}
	return valClasses(name, classes, groups, ObjectNetBorder, opts)
}

// ImageNetVidRobustValClasses is ImageNet's validation set restricted to the ImageNet classes of the 30
// ImageNet-Vid classes (misc/wnid_map.json of the ImageNet-Vid-Robust release), labelled as ImageNetVidRobust.
func ImageNetVidRobustValClasses(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	const name = "ImageNetVidRobustValClasses"
	base := filepath.Join(opts.Location, VidRobustDir, "imagenet-vid-robust")
	c, err := readVidClasses(name, base, "the ImageNet-Vid-Robust release's misc/ files in "+base)
	if err != nil {
		return nil, err
	}
	return valClassesMapped(name, c.names, c.groups, c.vidOf, opts)
}

// YTBBRobustValClasses is ImageNet's validation set restricted to the ImageNet classes of YTBB's classes
// (class_idx_map.json, see YTBBMetadataDir), labelled as YTBBRobust.
func YTBBRobustValClasses(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	const name = "YTBBRobustValClasses"
	m, err := readYTBBMeta(name, opts.Location)
	if err != nil {
		return nil, err
	}
	return valClassesMapped(name, m.names, m.groups, m.ytbbOf, opts)
}

// valClasses keeps the validation images of the classes in groups, each labelled by its group.
func valClasses(name string, names []string, groups [][]int, border int, opts datasets.Options) (*groupedSet, error) {
	labelOf := map[int]int{}
	for l, g := range groups {
		for _, c := range g {
			labelOf[c] = l
		}
	}
	d, err := valClassesMapped(name, names, groups, labelOf, opts)
	if err != nil {
		return nil, err
	}
	d.border = border
	return d, nil
}

// valClassesMapped keeps the validation images whose ImageNet class labelOf maps, with that label.
func valClassesMapped(name string, names []string, groups [][]int, labelOf map[int]int, opts datasets.Options) (*groupedSet, error) {
	if err := evalOnly(name, opts.Split); err != nil {
		return nil, err
	}
	d, err := openImageNet(name, opts)
	if err != nil {
		return nil, err
	}
	kept := d.samples[:0:0]
	for _, s := range d.samples {
		if l, ok := labelOf[int(s.label)]; ok {
			s.label = int32(l)
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return nil, &LayoutError{Dataset: name, Path: d.root, Problem: "no validation image of the covered classes",
			Expected: fmt.Sprintf("ImageNet validation images of the %d classes the dataset covers", len(labelOf))}
	}
	d.samples, d.classes = kept, names
	d.limit(opts.Limit)
	return &groupedSet{folderSet: d, groups: groups}, nil
}
