package realdata

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// VidRobustDir is the folder of the ImageNet-Vid-Robust and YTBB-Robust release under the data location.
const VidRobustDir = "imagenet_vid_ytbb_robust"

// vidClasses is the ImageNet-Vid-Robust class mapping read from its misc/ folder.
type vidClasses struct {
	names []string // the 30 ImageNet-Vid classes
	// groups[v] are the ImageNet-1k classes of class v (rev_wnid_map), for the logits.
	groups [][]int
	// vidOf maps an ImageNet-1k class to its ImageNet-Vid class (wnid_map), for the ValClasses labels.
	vidOf map[int]int
}

// readVidClasses reads misc/imagenet_vid_class_index.json ({"0": [wnid, name], ...}), misc/rev_wnid_map.json
// (ImageNet-Vid wnid to ImageNet wnids) and misc/wnid_map.json (ImageNet wnid to ImageNet-Vid wnid).
func readVidClasses(name, base, expected string) (*vidClasses, error) {
	misc := filepath.Join(base, "misc")
	var index map[string][2]string
	if err := readJSON(name, filepath.Join(misc, "imagenet_vid_class_index.json"), expected, &index); err != nil {
		return nil, err
	}
	var rev map[string][]string
	if err := readJSON(name, filepath.Join(misc, "rev_wnid_map.json"), expected, &rev); err != nil {
		return nil, err
	}
	var fwd map[string]string
	if err := readJSON(name, filepath.Join(misc, "wnid_map.json"), expected, &fwd); err != nil {
		return nil, err
	}
	bad := func(file, problem string) error {
		return &LayoutError{Dataset: name, Path: filepath.Join(misc, file), Expected: expected, Problem: problem}
	}
	c := &vidClasses{names: make([]string, len(index)), groups: make([][]int, len(index)), vidOf: map[int]int{}}
	vidIndex := map[string]int{}
	for k, v := range index {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(index) {
			return nil, bad("imagenet_vid_class_index.json", fmt.Sprintf("key %q is not a class index below %d", k, len(index)))
		}
		c.names[i], vidIndex[v[0]] = v[1], i
	}
	imagenet := func(file, wnid string) (int, error) {
		l, ok := ImageNetLabel(wnid)
		if !ok {
			return 0, bad(file, fmt.Sprintf("%q is not an ImageNet-1k class", wnid))
		}
		return l, nil
	}
	for vw, ws := range rev {
		v, ok := vidIndex[vw]
		if !ok {
			return nil, bad("rev_wnid_map.json", fmt.Sprintf("%q is not an ImageNet-Vid class", vw))
		}
		for _, w := range ws {
			l, err := imagenet("rev_wnid_map.json", w)
			if err != nil {
				return nil, err
			}
			c.groups[v] = append(c.groups[v], l)
		}
		slices.Sort(c.groups[v])
	}
	for w, vw := range fwd {
		l, err := imagenet("wnid_map.json", w)
		if err != nil {
			return nil, err
		}
		v, ok := vidIndex[vw]
		if !ok {
			return nil, bad("wnid_map.json", fmt.Sprintf("%q is not an ImageNet-Vid class", vw))
		}
		c.vidOf[l] = v
	}
	return c, nil
}

// vidRobustSet is ImageNet-Vid-Robust: every frame of its val/ folder, scored by pm-k.
type vidRobustSet struct {
	*folderSet
	groups [][]int
	sets   []datasets.PerturbationSet
}

// SubsetClassGroups lists the ImageNet-1k classes of each ImageNet-Vid class; a class's logit is their maximum
// (the paper's merge_op "max").
func (d *vidRobustSet) SubsetClassGroups() [][]int { return cloneGroups(d.groups) }

// PerturbationSets are the anchors of metadata/pmsets.json and their frames, each frame judged against its own
// labels; k is 10.
func (d *vidRobustSet) PerturbationSets() (int, []datasets.PerturbationSet) { return 10, d.sets }

// ImageNetVidRobust opens ImageNet-Vid-Robust from Location/imagenet_vid_ytbb_robust/imagenet-vid-robust: the
// frames val/<video>/<frame>, labelled by metadata/labels.json ({"val/<video>/<frame>": [labels]}; an example's
// label is the first, for top-1), the pm-k sets of metadata/pmsets.json ({anchor: [frames]}) and the class
// mapping of misc/. Class names are the 30 of misc/imagenet_vid_class_index.json. It has only the Test split and
// implements datasets.ClassGroups and datasets.PerturbationSets.
func ImageNetVidRobust(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	const name = "ImageNetVidRobust"
	if err := evalOnly(name, opts.Split); err != nil {
		return nil, err
	}
	base := filepath.Join(opts.Location, VidRobustDir, "imagenet-vid-robust")
	expected := "the ImageNet-Vid-Robust release in " + base + " (val/<video>/<frame>, metadata/{labels,pmsets}.json, " +
		"misc/{imagenet_vid_class_index,rev_wnid_map,wnid_map}.json)"
	classes, err := readVidClasses(name, base, expected)
	if err != nil {
		return nil, err
	}
	var labels map[string][]int
	if err := readJSON(name, filepath.Join(base, "metadata", "labels.json"), expected, &labels); err != nil {
		return nil, err
	}
	var pmsets map[string][]string
	if err := readJSON(name, filepath.Join(base, "metadata", "pmsets.json"), expected, &pmsets); err != nil {
		return nil, err
	}
	root := filepath.Join(base, "val")
	d, index, err := openFrames(name, root, "val/", expected, classes.names, func(key string) ([]int, bool) {
		l, ok := labels[key]
		return l, ok && len(l) > 0
	}, false)
	if err != nil {
		return nil, err
	}
	out := &vidRobustSet{folderSet: d, groups: classes.groups}
	anchors := make([]string, 0, len(pmsets))
	for a := range pmsets {
		anchors = append(anchors, a)
	}
	sort.Strings(anchors)
	for _, a := range anchors {
		s, err := frameSet(name, root, expected, index, a, pmsets[a], func(key string) []int { return labels[key] })
		if err != nil {
			return nil, err
		}
		out.sets = append(out.sets, s)
	}
	d.limit(opts.Limit)
	return out, nil
}

// openFrames lists root/<folder>/<image> as one dataset, in sorted order, each frame keyed prefix+"<folder>/<image>"
// and labelled with the first of labelsOf(key); a frame without labels is skipped with skipUnlisted, else an error.
// It returns the key→index map.
func openFrames(name, root, prefix, expected string, classes []string, labelsOf func(key string) ([]int, bool),
	skipUnlisted bool) (*folderSet, map[string]int, error) {
	if err := requireDir(name, root, expected); err != nil {
		return nil, nil, err
	}
	dirs, _, err := listClassDirs(root)
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: %s: %w", name, err)
	}
	files, err := listImages(root, dirs)
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: %s: %w", name, err)
	}
	d := &folderSet{name: name, classes: classes, templates: templates.OpenAIImageNet, root: root, dirs: dirs}
	index := map[string]int{}
	for di, fs := range files {
		for _, f := range fs {
			key := prefix + dirs[di] + "/" + f
			ls, ok := labelsOf(key)
			if !ok && skipUnlisted {
				continue
			}
			if !ok {
				return nil, nil, &LayoutError{Dataset: name, Path: filepath.Join(root, dirs[di], f), Expected: expected,
					Problem: fmt.Sprintf("frame %q has no label", key)}
			}
			if ls[0] < 0 || ls[0] >= len(classes) {
				return nil, nil, &LayoutError{Dataset: name, Path: filepath.Join(root, dirs[di], f), Expected: expected,
					Problem: fmt.Sprintf("frame %q has label %d, outside the %d classes", key, ls[0], len(classes))}
			}
			index[key] = len(d.samples)
			d.samples = append(d.samples, sample{dir: int32(di), label: int32(ls[0]), file: f})
		}
	}
	if len(d.samples) == 0 {
		return nil, nil, &LayoutError{Dataset: name, Path: root, Expected: expected, Problem: "no frames"}
	}
	return d, index, nil
}

// frameSet is the pm-k set of anchor with frames, in example indices; accept gives each frame's accepted labels.
// A frame that is not on disk is an error: the metric needs every one.
func frameSet(name, root, expected string, index map[string]int, anchor string, frames []string,
	accept func(key string) []int) (datasets.PerturbationSet, error) {
	at := func(key string) (int, error) {
		i, ok := index[key]
		if !ok {
			return 0, &LayoutError{Dataset: name, Path: root, Expected: expected,
				Problem: fmt.Sprintf("frame %q of the pm-k set of %q is missing", key, anchor)}
		}
		return i, nil
	}
	a, err := at(anchor)
	if err != nil {
		return datasets.PerturbationSet{}, err
	}
	s := datasets.PerturbationSet{Anchor: a, Accept: [][]int{accept(anchor)}}
	for _, f := range frames {
		i, err := at(f)
		if err != nil {
			return datasets.PerturbationSet{}, err
		}
		s.Frames = append(s.Frames, i)
		s.Accept = append(s.Accept, accept(f))
	}
	return s, nil
}

// cloneGroups is a deep copy.
func cloneGroups(g [][]int) [][]int {
	out := make([][]int, len(g))
	for i, x := range g {
		out[i] = slices.Clone(x)
	}
	return out
}
