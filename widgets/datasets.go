package widgets

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// DatasetSheets shows, for each dataset, its name, size and its first n examples in a strip (zoomed twice),
// one dataset per row.
func DatasetSheets(n int, sets ...datasets.Dataset) (HTML, error) {
	var b strings.Builder
	b.WriteString(`<table class="wiseft-sheets" style="border-collapse:collapse;font-family:sans-serif;font-size:12px">`)
	for _, ds := range sets {
		strip, err := Strip(ds, Range(0, min(n, ds.Len())))
		if err != nil {
			return "", err
		}
		src, err := PNGDataURL(strip)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, `<tr><td style="padding:4px 10px 4px 0;vertical-align:middle;white-space:nowrap"><b>%s</b><br/>`+
			`<span style="color:#777">%d images</span></td><td style="padding:2px 0"><img src="%s" `+
			`style="width:%dpx;image-rendering:pixelated"/></td></tr>`, html.EscapeString(ds.Name()), ds.Len(), src,
			2*strip.Bounds().Dx())
	}
	b.WriteString(`</table>`)
	return HTML(b.String()), nil
}

// Strip lays the examples indices of ds out in one row, separated by 1-pixel grey gutters.
func Strip(ds datasets.Dataset, indices []int) (image.Image, error) {
	if len(indices) == 0 {
		return nil, fmt.Errorf("widgets: strip of %s: no examples", ds.Name())
	}
	imgs := make([]image.Image, len(indices))
	w, h := 0, 0
	for k, i := range indices {
		img, _, err := ds.Example(i)
		if err != nil {
			return nil, err
		}
		imgs[k] = thumbnail(img, 64)
		w += imgs[k].Bounds().Dx() + 1
		h = max(h, imgs[k].Bounds().Dy())
	}
	out := image.NewRGBA(image.Rect(0, 0, w+1, h+2))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.Gray{Y: 0x80}), image.Point{}, draw.Src)
	x := 1
	for _, img := range imgs {
		b := img.Bounds()
		draw.Draw(out, image.Rect(x, 1, x+b.Dx(), 1+b.Dy()), img, b.Min, draw.Src)
		x += b.Dx() + 1
	}
	return out, nil
}

// SummaryTable prints a sweep as the command line's `wiseft run` does: α, the in-distribution set, each shift and
// the shifts' average, top-1 in percent, so a notebook's output can be compared with the main job's line by line.
func SummaryTable(res *wiseft.SweepResult, id string, shifts []string) string {
	return res.Summary(id, shifts)
}

// CompareWithRecords checks that a sweep has the same top-1 accuracy and macro-F1 as results-log records (the
// lines `wiseft run --results-db` appends) for every α and set of the sweep, and returns a line per difference
// (none: identical). Values are compared exactly: the same program on the same data must give the same bits.
func CompareWithRecords(res *wiseft.SweepResult, recs []results.Record) []string {
	byAlpha := map[float64]results.Record{}
	for _, r := range recs {
		if a, ok := r.Alpha(); ok {
			byAlpha[a] = r // the last line of an α wins, as in package figures
		}
	}
	var diffs []string
	for i, a := range res.Alphas {
		r, ok := byAlpha[a]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("α = %g: no record", a))
			continue
		}
		for j, s := range res.Sets {
			m := res.Metrics[i][j]
			for _, kv := range []struct {
				metric string
				v      float64
			}{{"top1", m.Top1}, {"f1", m.MacroF1}} {
				got, ok := r.Metric(s, kv.metric)
				if !ok {
					diffs = append(diffs, fmt.Sprintf("α = %g: no %s:%s in the record", a, s, kv.metric))
				} else if got != kv.v && !(math.IsNaN(got) && math.IsNaN(kv.v)) {
					diffs = append(diffs, fmt.Sprintf("α = %g %s:%s: notebook %v, command line %v", a, s, kv.metric, kv.v, got))
				}
			}
		}
	}
	return diffs
}

// folderSet is a folder of image files, decoded on demand.
type folderSet struct {
	name    string
	classes []string
	files   []string
	labels  []int
}

// Name is the folder's base name.
func (f *folderSet) Name() string { return f.name }

// ClassNames are the class folders' names, or the candidate classes.
func (f *folderSet) ClassNames() []string { return f.classes }

// Templates is the paper code's simple template.
func (f *folderSet) Templates() []string { return []string{"a photo of a {}."} }

// Len is the number of image files.
func (f *folderSet) Len() int { return len(f.files) }

// Path is the file of example i.
func (f *folderSet) Path(i int) string { return f.files[i] }

// Example decodes image file i.
func (f *folderSet) Example(i int) (image.Image, int, error) {
	img, err := preprocess.LoadImage(f.files[i])
	if err != nil {
		return nil, 0, err
	}
	return img, f.labels[i], nil
}

var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".bmp": true}

// ImageFolder opens a folder of images for zero-shot classification. With class sub-folders (dir/<class>/*.png,
// the ImageFolder layout) the labels are the sorted folder names, and classNames, when given, must list one
// name per folder; labelled is true. Without sub-folders every image of dir is listed with label 0, classNames
// (required) are the candidate classes, and labelled is false. Files are .png, .jpg, .jpeg, .gif or .bmp,
// sorted by name; limit > 0 keeps the first limit images of each class (of the folder, without classes).
func ImageFolder(dir string, classNames []string, limit int) (ds datasets.Dataset, labelled bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, fmt.Errorf("widgets: image folder: %w", err)
	}
	var folders []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			folders = append(folders, e.Name())
		}
	}
	sort.Strings(folders)
	images := func(d string) ([]string, error) {
		es, err := os.ReadDir(d)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, e := range es {
			if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") && imageExts[strings.ToLower(filepath.Ext(e.Name()))] {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
		sort.Strings(out)
		if limit > 0 && len(out) > limit {
			out = out[:limit]
		}
		return out, nil
	}
	f := &folderSet{name: filepath.Base(filepath.Clean(dir))}
	if len(folders) > 0 {
		f.classes = folders
		if len(classNames) > 0 {
			if len(classNames) != len(folders) {
				return nil, false, fmt.Errorf("widgets: %s has %d class folders but %d class names were given",
					dir, len(folders), len(classNames))
			}
			f.classes = slices.Clone(classNames)
		}
		for label, sub := range folders {
			files, err := images(filepath.Join(dir, sub))
			if err != nil {
				return nil, false, err
			}
			for _, file := range files {
				f.files, f.labels = append(f.files, file), append(f.labels, label)
			}
		}
		labelled = true
	} else {
		if len(classNames) == 0 {
			return nil, false, fmt.Errorf("widgets: %s has no class folders: give the candidate class names", dir)
		}
		f.classes = slices.Clone(classNames)
		if f.files, err = images(dir); err != nil {
			return nil, false, err
		}
		f.labels = make([]int, len(f.files))
	}
	if len(f.files) == 0 {
		return nil, false, fmt.Errorf("widgets: no images (.png, .jpg, .jpeg, .gif, .bmp) in %s", dir)
	}
	return f, labelled, nil
}

// WriteImageFolder writes the first n examples of each class of ds as PNG files under dir/<class name>/ (the
// layout ImageFolder reads), to try a notebook on images from files.
func WriteImageFolder(ds datasets.Dataset, n int, dir string) error {
	count := make([]int, len(ds.ClassNames()))
	for i := 0; i < ds.Len(); i++ {
		img, label, err := ds.Example(i)
		if err != nil {
			return err
		}
		if count[label] >= n {
			continue
		}
		class := strings.ReplaceAll(ds.ClassNames()[label], "/", "_")
		sub := filepath.Join(dir, class)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(sub, fmt.Sprintf("%s-%05d.png", ds.Name(), i)), buf.Bytes()); err != nil {
			return err
		}
		count[label]++
		if slices.Min(count) >= n {
			break
		}
	}
	return nil
}

// TopK returns the k most probable labels of a prediction made with Evaluator.KeepProbs, most probable first.
func TopK(p wiseft.Prediction, k int) []int {
	idx := make([]int, len(p.Probs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p.Probs[idx[a]] > p.Probs[idx[b]] })
	return idx[:min(k, len(idx))]
}
