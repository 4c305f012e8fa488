package realdata

import (
	"encoding/json"
	"image/color"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
)

// writeJSON writes v as JSON to path.
func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)
}

// vidWNIDs are the (made-up) ImageNet-Vid wnids of the test release and the ImageNet-1k classes of each.
var vidWNIDs = []struct {
	wnid, name string
	imagenet   []int
}{{"n02691156", "airplane", []int{404, 895}}, {"n02121808", "domestic_cat", []int{281, 282}}, {"n02391049", "zebra", []int{340}}}

// makeVidRobust writes a small ImageNet-Vid-Robust release: two videos, one frame with two labels, two pm-k sets.
func makeVidRobust(t *testing.T, loc string) {
	base := filepath.Join(loc, VidRobustDir, "imagenet-vid-robust")
	index, rev, fwd := map[string][2]string{}, map[string][]string{}, map[string]string{}
	for i, v := range vidWNIDs {
		index[strconv.Itoa(i)] = [2]string{v.wnid, v.name}
		for _, c := range v.imagenet {
			rev[v.wnid] = append(rev[v.wnid], ImageNetWNIDs[c])
			fwd[ImageNetWNIDs[c]] = v.wnid
		}
	}
	writeJSON(t, filepath.Join(base, "misc", "imagenet_vid_class_index.json"), index)
	writeJSON(t, filepath.Join(base, "misc", "rev_wnid_map.json"), rev)
	writeJSON(t, filepath.Join(base, "misc", "wnid_map.json"), fwd)
	labels := map[string][]int{
		"val/ILSVRC2015_val_00000000/000000.JPEG": {0}, "val/ILSVRC2015_val_00000000/000001.JPEG": {0},
		"val/ILSVRC2015_val_00000000/000002.JPEG": {2, 0}, "val/ILSVRC2015_val_00000001/000000.JPEG": {1},
		"val/ILSVRC2015_val_00000001/000001.JPEG": {1},
	}
	for k := range labels {
		writeImage(t, filepath.Join(base, filepath.FromSlash(k)), solid(5, 4, color.RGBA{B: 200, A: 255}))
	}
	writeJSON(t, filepath.Join(base, "metadata", "labels.json"), labels)
	writeJSON(t, filepath.Join(base, "metadata", "pmsets.json"), map[string][]string{
		"val/ILSVRC2015_val_00000000/000001.JPEG": {"val/ILSVRC2015_val_00000000/000000.JPEG", "val/ILSVRC2015_val_00000000/000002.JPEG"},
		"val/ILSVRC2015_val_00000001/000000.JPEG": {"val/ILSVRC2015_val_00000001/000001.JPEG"},
	})
}

func TestImageNetVidRobust(t *testing.T) {
	loc := t.TempDir()
	makeVidRobust(t, loc)
	ds := open(t, "ImageNetVidRobust", datasets.Options{Location: loc})
	// Frames in sorted order; the label for top-1 is a frame's first.
	if got := labels(t, ds); !slices.Equal(got, []int{0, 0, 2, 1, 1}) {
		t.Errorf("labels %v", got)
	}
	if !slices.Equal(ds.ClassNames(), []string{"airplane", "domestic_cat", "zebra"}) {
		t.Errorf("class names %q", ds.ClassNames())
	}
	groups, ok := datasets.SubsetOf(ds)
	if !ok || !reflect.DeepEqual(groups, [][]int{{404, 895}, {281, 282}, {340}}) {
		t.Errorf("class groups %v", groups)
	}
	k, sets, dropped, ok := datasets.PerturbationSetsOf(ds)
	want := []datasets.PerturbationSet{
		{Anchor: 1, Frames: []int{0, 2}, Accept: [][]int{{0}, {0}, {2, 0}}},
		{Anchor: 3, Frames: []int{4}, Accept: [][]int{{1}, {1}}},
	}
	if !ok || k != 10 || dropped != 0 || !reflect.DeepEqual(sets, want) {
		t.Errorf("pm-k sets (k=%d, %d dropped): %+v, want %+v", k, dropped, sets, want)
	}

	// ImageNet's validation images of the 30 classes' ImageNet classes, labelled as ImageNet-Vid.
	makeTree(t, filepath.Join(loc, "imagenet", "val"), []string{ImageNetWNIDs[1], ImageNetWNIDs[282], ImageNetWNIDs[340],
		ImageNetWNIDs[404]}, 2, ".JPEG")
	vc := open(t, "ImageNetVidRobustValClasses", datasets.Options{Location: loc})
	if got := labels(t, vc); !slices.Equal(got, []int{1, 2, 0, 1, 2, 0}) { // classes 282, 340, 404, interleaved
		t.Errorf("ValClasses labels %v", got)
	}
	if g, ok := datasets.SubsetOf(vc); !ok || !reflect.DeepEqual(g, groups) || len(vc.ClassNames()) != 3 {
		t.Errorf("ValClasses groups %v, names %q", g, vc.ClassNames())
	}
}

func TestImageNetVidRobustErrors(t *testing.T) {
	loc := t.TempDir()
	makeVidRobust(t, loc)
	base := filepath.Join(loc, VidRobustDir, "imagenet-vid-robust")
	writeImage(t, filepath.Join(base, "val", "ILSVRC2015_val_00000001", "000009.JPEG"), solid(2, 2, color.RGBA{A: 255}))
	_, err := datasets.Open("ImageNetVidRobust", datasets.Options{Location: loc})
	wantLayout(t, err, `"val/ILSVRC2015_val_00000001/000009.JPEG" has no label`)
	loc = t.TempDir()
	makeVidRobust(t, loc)
	base = filepath.Join(loc, VidRobustDir, "imagenet-vid-robust")
	writeJSON(t, filepath.Join(base, "metadata", "pmsets.json"), map[string][]string{
		"val/ILSVRC2015_val_00000001/000000.JPEG": {"val/ILSVRC2015_val_00000001/000007.JPEG"}})
	_, err = datasets.Open("ImageNetVidRobust", datasets.Options{Location: loc})
	wantLayout(t, err, "000007.JPEG", "is missing")
	writeJSON(t, filepath.Join(base, "misc", "wnid_map.json"), map[string]string{"n99999999": "n02691156"})
	_, err = datasets.Open("ImageNetVidRobust", datasets.Options{Location: loc})
	wantLayout(t, err, `"n99999999" is not an ImageNet-1k class`)
	_, err = datasets.Open("ImageNetVidRobust", datasets.Options{Location: t.TempDir()})
	wantMissing(t, err, "imagenet_vid_class_index.json")
}

// ytbbClassNames are YTBB's 24 classes in the order of the paper code's ytbb_class_index.json.
var ytbbClassNames = []string{"person", "bird", "bicycle", "boat", "bus", "bear", "cow", "cat", "giraffe", "potted plant",
	"horse", "motorcycle", "knife", "airplane", "skateboard", "train", "truck", "zebra", "toilet", "dog", "elephant",
	"umbrella", "none", "car"}

// makeYTBB writes YTBB-Robust's annotation files (as the paper's code keeps them) and frames: anchor A (good,
// labelled bird, originally person) with valid neighbours 29 and 31 among others that the review rejects or that lie
// beyond ±10; anchor B (unsure: dropped); anchor C (marked bad-anchor by a pair review: dropped); anchor D (good,
// labelled car; its original label 22 reads as 23, car, after the paper's swap).
func makeYTBB(t *testing.T, loc string) {
	dir := filepath.Join(loc, VidRobustDir, YTBBMetadataDir)
	index := map[string]string{}
	for i, n := range ytbbClassNames {
		index[strconv.Itoa(i)] = n
	}
	writeJSON(t, filepath.Join(dir, "ytbb_class_index.json"), index)
	writeJSON(t, filepath.Join(dir, "rev_class_idx_map.json"), map[string][]int{"0": {981, 982, 983}, "1": {7, 8}, "23": {407, 436}})
	writeJSON(t, filepath.Join(dir, "class_idx_map.json"), map[string]int{"981": 0, "7": 1, "8": 1, "407": 23})
	anchorNames := []string{"good", "unsure", "bad", "person", "bird", "car", "none"}
	type ann struct {
		Key    string `json:"key"`
		Notes  string `json:"notes"`
		Labels []int  `json:"labels"`
	}
	writeJSON(t, filepath.Join(dir, "anchor_labels.json"), map[string]any{"labels": anchorNames, "annotations": []ann{
		{Key: "/data/ytbb_videos/vidA_1000/frame-30.jpg", Labels: []int{0}},
		{Key: "vidA_1000/frame-30.jpg", Labels: []int{0, 4}}, // a later annotation of the same key wins
		{Key: "vidB_2000/frame-60.jpg", Labels: []int{0, 1}},
		{Key: "vidC_3000/frame-90.jpg", Labels: []int{0}},
		{Key: "vidD_4000/frame-120.jpg", Labels: []int{0, 5}},
	}})
	pairNames := []string{"similar", "dissimilar", "correct", "bad-anchor", "blur-increase"}
	pair := func(a, f string, l ...int) ann { return ann{Key: a + "," + f, Labels: l} }
	writeJSON(t, filepath.Join(dir, "pmk_labels.json"), map[string]any{"labels": pairNames, "annotations": []ann{
		pair("vidA_1000/frame-30.jpg", "vidA_1000/frame-31.jpg", 0),
		pair("vidA_1000/frame-30.jpg", "vidA_1000/frame-29.jpg", 0, 2),
		pair("vidA_1000/frame-30.jpg", "vidA_1000/frame-32.jpg", 1),
		pair("vidA_1000/frame-30.jpg", "vidA_1000/frame-35.jpg", 0, 4),
		pair("vidA_1000/frame-30.jpg", "vidA_1000/frame-41.jpg", 0),
		pair("vidC_3000/frame-90.jpg", "vidC_3000/frame-91.jpg", 0, 3),
		pair("vidD_4000/frame-120.jpg", "vidD_4000/frame-121.jpg", 0),
	}})
	writeFile(t, filepath.Join(dir, "ytbb_robustness_test_anchors_full.csv"),
		[]byte("ytid,time_ms,label\nvidA,1000,0\nvidB,2000,3\nvidC,3000,1\nvidD,4000,22\n"))
	videos := filepath.Join(loc, VidRobustDir, "ytbb-robust", "ytbb_videos")
	for _, f := range []string{"vidA_1000/frame-29.jpg", "vidA_1000/frame-30.jpg", "vidA_1000/frame-31.jpg",
		"vidA_1000/frame-32.jpg", "vidA_1000/frame-35.jpg", "vidA_1000/frame-41.jpg", "vidB_2000/frame-60.jpg",
		"vidC_3000/frame-90.jpg", "vidD_4000/frame-120.jpg", "vidD_4000/frame-121.jpg"} {
		writeImage(t, filepath.Join(videos, filepath.FromSlash(f)), solid(4, 3, color.RGBA{R: 90, A: 255}))
	}
}

func TestYTBBRobust(t *testing.T) {
	loc := t.TempDir()
	makeYTBB(t, loc)
	ds := open(t, "YTBBRobust", datasets.Options{Location: loc})
	// vidA_1000/frame-{29,30,31}, vidD_4000/frame-{120,121}; each labelled with its anchor's smallest label.
	if got := labels(t, ds); !slices.Equal(got, []int{0, 0, 0, 23, 23}) {
		t.Errorf("labels %v", got)
	}
	if !slices.Equal(ds.ClassNames(), ytbbClassNames) {
		t.Errorf("class names %q", ds.ClassNames())
	}
	k, sets, _, ok := datasets.PerturbationSetsOf(ds)
	want := []datasets.PerturbationSet{
		{Anchor: 1, Frames: []int{0, 2}, Accept: [][]int{{0, 1}, {0, 1}, {0, 1}}},
		{Anchor: 3, Frames: []int{4}, Accept: [][]int{{23}, {23}}},
	}
	if !ok || k != 10 || !reflect.DeepEqual(sets, want) {
		t.Errorf("pm-k sets (k=%d): %+v, want %+v", k, sets, want)
	}
	groups, ok := datasets.SubsetOf(ds)
	if !ok || len(groups) != 24 || !slices.Equal(groups[0], []int{981, 982, 983}) || len(groups[22]) != 0 || len(groups[6]) != 0 {
		t.Errorf("class groups %v", groups)
	}

	makeTree(t, filepath.Join(loc, "imagenet", "val"), []string{ImageNetWNIDs[7], ImageNetWNIDs[100], ImageNetWNIDs[407],
		ImageNetWNIDs[981]}, 1, ".JPEG")
	vc := open(t, "YTBBRobustValClasses", datasets.Options{Location: loc})
	if got := labels(t, vc); !slices.Equal(got, []int{1, 23, 0}) {
		t.Errorf("ValClasses labels %v", got)
	}
}

func TestYTBBRobustErrors(t *testing.T) {
	loc := t.TempDir()
	makeYTBB(t, loc)
	dir := filepath.Join(loc, VidRobustDir, YTBBMetadataDir)
	writeFile(t, filepath.Join(dir, "ytbb_robustness_test_anchors_full.csv"), []byte("ytid,time_ms,label\nvidA,1000,0\n"))
	_, err := datasets.Open("YTBBRobust", datasets.Options{Location: loc})
	wantLayout(t, err, `"vidD_4000/frame-120.jpg" has no original label`)
	loc = t.TempDir()
	makeYTBB(t, loc)
	if err := os.Remove(filepath.Join(loc, VidRobustDir, "ytbb-robust", "ytbb_videos", "vidA_1000", "frame-31.jpg")); err != nil {
		t.Fatal(err)
	}
	_, err = datasets.Open("YTBBRobust", datasets.Options{Location: loc})
	wantLayout(t, err, `"vidA_1000/frame-31.jpg"`, "is missing")
	_, err = datasets.Open("YTBBRobust", datasets.Options{Location: t.TempDir()})
	wantMissing(t, err, "ytbb_class_index.json")
}
