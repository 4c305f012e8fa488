package realdata

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/datasets"
)

// YTBBMetadataDir is where, under Location/imagenet_vid_ytbb_robust, YTBB-Robust's annotations are read from:
// the files of the paper code's src/datasets/ytbb-robust_metadata folder (anchor_labels.json, pmk_labels.json,
// ytbb_class_index.json, class_idx_map.json, rev_class_idx_map.json, ytbb_robustness_test_anchors_full.csv),
// which the paper's code keeps beside itself rather than in the data release.
const YTBBMetadataDir = "ytbb-robust_metadata"

// ytbbProblematic are the pm-k review labels that make a frame pair invalid (the paper code's
// load_pmk_annotations).
var ytbbProblematic = []string{"dissimilar", "problematic", "incorrect", "dont know", "deformation",
	"background-change", "occlusion-increased", "blur-increase", "bad-anchor"}

// ytbbSet is YTBB-Robust: the reviewed anchors and their reviewed neighbours within 10 frames, scored by pm-k.
type ytbbSet struct {
	*folderSet
	groups [][]int
	sets   []datasets.PerturbationSet
}

// SubsetClassGroups lists the ImageNet-1k classes of each YTBB class (rev_class_idx_map.json); a class with none
// ("cow", "giraffe", "skateboard", "toilet", "none") is never predicted. (The paper's code gives the first four
// a logit of 0 and "none" −1e10: with CLIP's positive logits they are never predicted there either.)
func (d *ytbbSet) SubsetClassGroups() [][]int { return cloneGroups(d.groups) }

// PerturbationSets are the anchors and their frames, every frame judged against its anchor's labels; k is 10.
func (d *ytbbSet) PerturbationSets() (int, []datasets.PerturbationSet) { return 10, d.sets }

// ytbbMeta is the class mapping of YTBB-Robust.
type ytbbMeta struct {
	names   []string
	groups  [][]int     // YTBB class → ImageNet-1k classes
	ytbbOf  map[int]int // ImageNet-1k class → YTBB class (ValClasses)
	byName  map[string]int
	dir     string
	expects string
}

// readYTBBMeta reads ytbb_class_index.json, rev_class_idx_map.json and class_idx_map.json.
func readYTBBMeta(name, location string) (*ytbbMeta, error) {
	dir := filepath.Join(location, VidRobustDir, YTBBMetadataDir)
	m := &ytbbMeta{dir: dir, expects: "YTBB-Robust's annotations (the paper code's ytbb-robust_metadata files) in " + dir +
		" and its frames in " + filepath.Join(location, VidRobustDir, "ytbb-robust", "ytbb_videos") + "/<video>_<ms>/frame-<n>.jpg"}
	var index map[string]string
	if err := readJSON(name, filepath.Join(dir, "ytbb_class_index.json"), m.expects, &index); err != nil {
		return nil, err
	}
	m.names, m.byName = make([]string, len(index)), map[string]int{}
	for k, v := range index {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(index) {
			return nil, m.bad("ytbb_class_index.json", fmt.Sprintf("key %q is not a class index below %d", k, len(index)))
		}
		m.names[i], m.byName[v] = v, i
	}
	var rev map[string][]int
	if err := readJSON(name, filepath.Join(dir, "rev_class_idx_map.json"), m.expects, &rev); err != nil {
		return nil, err
	}
	m.groups = make([][]int, len(m.names))
	for k, v := range rev {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(m.names) {
			return nil, m.bad("rev_class_idx_map.json", fmt.Sprintf("key %q is not a YTBB class", k))
		}
		for _, c := range v {
			if c < 0 || c >= len(ImageNetWNIDs) {
				return nil, m.bad("rev_class_idx_map.json", fmt.Sprintf("class %d of %q is not an ImageNet-1k class", c, k))
			}
		}
		m.groups[i] = slices.Sorted(slices.Values(v))
	}
	var fwd map[string]int
	if err := readJSON(name, filepath.Join(dir, "class_idx_map.json"), m.expects, &fwd); err != nil {
		return nil, err
	}
	m.ytbbOf = map[int]int{}
	for k, v := range fwd {
		c, err := strconv.Atoi(k)
		if err != nil || c < 0 || c >= len(ImageNetWNIDs) || v < 0 || v >= len(m.names) {
			return nil, m.bad("class_idx_map.json", fmt.Sprintf("%q: %d does not map an ImageNet-1k class to a YTBB class", k, v))
		}
		m.ytbbOf[c] = v
	}
	return m, nil
}

func (m *ytbbMeta) bad(file, problem string) error {
	return &LayoutError{Dataset: "YTBB-Robust", Path: filepath.Join(m.dir, file), Expected: m.expects, Problem: problem}
}

// YTBBRobust opens YTBB-Robust: the anchor frames whose review says "good" (and neither "bad" nor "unsure"), minus
// those a pm-k review marks "bad-anchor", and each anchor's frames within ±10 whose pair review says "similar" and
// none of the problematic labels, read from Location/imagenet_vid_ytbb_robust/ytbb-robust/ytbb_videos. An anchor's
// labels are its reviewed labels plus its original YTBB label (ytbb_robustness_test_anchors_full.csv, with labels
// 22 and 23 swapped, as the paper's code reads that file); every frame of a set is judged against them, and an
// example's label (for top-1) is the smallest of its anchor's. It has only the Test split and implements
// datasets.ClassGroups and datasets.PerturbationSets.
func YTBBRobust(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	const name = "YTBBRobust"
	if err := evalOnly(name, opts.Split); err != nil {
		return nil, err
	}
	m, err := readYTBBMeta(name, opts.Location)
	if err != nil {
		return nil, err
	}
	pmkRows, _, err := m.read(name, "pmk_labels.json")
	if err != nil {
		return nil, err
	}
	anchors, err := m.anchorLabels(name, pmkRows)
	if err != nil {
		return nil, err
	}
	frames, err := m.reviewedFrames(pmkRows, anchors, 10)
	if err != nil {
		return nil, err
	}
	labelOf := map[string][]int{}
	keys := make([]string, 0, len(anchors))
	for a := range anchors {
		keys = append(keys, a)
	}
	sort.Strings(keys)
	for _, a := range keys {
		labelOf[a] = anchors[a]
		for _, f := range frames[a] {
			labelOf[f] = anchors[a]
		}
	}
	root := filepath.Join(opts.Location, VidRobustDir, "ytbb-robust", "ytbb_videos")
	d, index, err := openFrames(name, root, "", m.expects, m.names, func(key string) ([]int, bool) {
		l, ok := labelOf[key]
		return l, ok
	}, true)
	if err != nil {
		return nil, err
	}
	out := &ytbbSet{folderSet: d, groups: m.groups}
	for _, a := range keys {
		s, err := frameSet(name, root, m.expects, index, a, frames[a], func(string) []int { return anchors[a] })
		if err != nil {
			return nil, err
		}
		out.sets = append(out.sets, s)
	}
	d.limit(opts.Limit)
	return out, nil
}

// annotations is one of the review files: {"annotations": [{"key", "labels": [indices]}], "labels": [names]}.
type annotations struct {
	Annotations []struct {
		Key    string `json:"key"`
		Labels []int  `json:"labels"`
	} `json:"annotations"`
	Labels []string `json:"labels"`
}

// read reads file and returns, per key (the last annotation of a key wins), its set of label names.
func (m *ytbbMeta) read(name, file string) (map[string]map[string]bool, []string, error) {
	var a annotations
	if err := readJSON(name, filepath.Join(m.dir, file), m.expects, &a); err != nil {
		return nil, nil, err
	}
	out := map[string]map[string]bool{}
	var order []string
	for _, r := range a.Annotations {
		set := map[string]bool{}
		for _, l := range r.Labels {
			if l < 0 || l >= len(a.Labels) {
				return nil, nil, m.bad(file, fmt.Sprintf("key %q has label %d, beyond the %d label names", r.Key, l, len(a.Labels)))
			}
			set[a.Labels[l]] = true
		}
		if _, seen := out[r.Key]; !seen {
			order = append(order, r.Key)
		}
		out[r.Key] = set
	}
	return out, order, nil
}

// frameKey is a path's last folder and file name ("<video>_<ms>/frame-<n>.jpg").
func frameKey(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	return path.Base(path.Dir(p)) + "/" + path.Base(p)
}

// anchorLabels returns the reviewed anchors and their YTBB labels (sorted); pmkRows are the pair reviews, whose
// "bad-anchor" marks remove anchors.
func (m *ytbbMeta) anchorLabels(name string, pmkRows map[string]map[string]bool) (map[string][]int, error) {
	anchorRows, order, err := m.read(name, "anchor_labels.json")
	if err != nil {
		return nil, err
	}
	badAnchor := map[string]bool{}
	for k, set := range pmkRows {
		if set["bad-anchor"] {
			badAnchor[frameKey(strings.SplitN(k, ",", 2)[0])] = true
		}
	}
	initial, err := m.initialLabels(name)
	if err != nil {
		return nil, err
	}
	out := map[string][]int{}
	for _, raw := range order {
		set, key := anchorRows[raw], frameKey(raw)
		if !set["good"] || set["bad"] || set["unsure"] || badAnchor[key] {
			continue
		}
		labels := map[int]bool{}
		for l := range set {
			if c, ok := m.byName[l]; ok {
				labels[c] = true
			}
		}
		video := strings.Split(key, "/")[0]
		l, ok := initial[video]
		if !ok {
			return nil, m.bad("ytbb_robustness_test_anchors_full.csv", fmt.Sprintf("anchor %q has no original label (no row %q)", key, video))
		}
		labels[l] = true
		out[key] = slices.Sorted(func(yield func(int) bool) {
			for c := range labels {
				if !yield(c) {
					return
				}
			}
		})
	}
	if len(out) == 0 {
		return nil, m.bad("anchor_labels.json", "no anchor is reviewed good")
	}
	return out, nil
}

// initialLabels reads the original YTBB label of each anchor video ("<ytid>_<time_ms>"), swapping 22 and 23.
func (m *ytbbMeta) initialLabels(name string) (map[string]int, error) {
	t, err := readCSV(name, filepath.Join(m.dir, "ytbb_robustness_test_anchors_full.csv"), m.expects, "ytid", "time_ms", "label")
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(t.rows))
	for i := range t.rows {
		l, err := strconv.Atoi(t.get(i, "label"))
		if err != nil || l < 0 || l >= len(m.names) {
			return nil, m.bad("ytbb_robustness_test_anchors_full.csv", fmt.Sprintf("row %d: label %q is not a YTBB class", i+2, t.get(i, "label")))
		}
		switch l {
		case 22:
			l = 23
		case 23:
			l = 22
		}
		out[t.get(i, "ytid")+"_"+t.get(i, "time_ms")] = l
	}
	return out, nil
}

// reviewedFrames returns, for each anchor, its frames within ±k whose pair review (rows) is valid, in frame order.
func (m *ytbbMeta) reviewedFrames(rows map[string]map[string]bool, anchors map[string][]int, k int) (map[string][]string, error) {
	valid := map[string]bool{}
	for key, set := range rows {
		parts := strings.SplitN(key, ",", 2)
		if len(parts) != 2 {
			return nil, m.bad("pmk_labels.json", fmt.Sprintf("key %q is not \"<anchor>,<frame>\"", key))
		}
		if !set["similar"] || slices.ContainsFunc(ytbbProblematic, func(p string) bool { return set[p] }) {
			continue
		}
		valid[frameKey(parts[0])+","+frameKey(parts[1])] = true
	}
	out := map[string][]string{}
	for a := range anchors {
		folder, file, _ := strings.Cut(a, "/")
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(file, "frame-"), path.Ext(file)))
		if err != nil {
			return nil, m.bad("anchor_labels.json", fmt.Sprintf("anchor %q is not <video>_<ms>/frame-<n>.jpg", a))
		}
		for i := -k; i <= k; i++ {
			f := fmt.Sprintf("%s/frame-%d.jpg", folder, n+i)
			if i != 0 && valid[a+","+f] {
				out[a] = append(out[a], f)
			}
		}
	}
	return out, nil
}
