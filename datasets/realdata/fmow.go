package realdata

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// FMoWDir is the folder of WILDS' FMoW release under the data location.
const FMoWDir = "fmow_v1.1"

// FMoW's official split scheme ("time_after_2016"): images from 2016 on are the out-of-distribution test and
// validation data, those of the three years before the out-of-distribution validation data; the rest is in
// distribution. Years are grouped from FMoWFirstYear to FMoWLastYear.
var (
	fmowOODStart = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	fmowValStart = time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	FMoWFirstYear = 2002
	FMoWLastYear  = 2017
	// FMoWOtherRegion is the region of a country the mapping file does not place; it is left out of the worst
	// region, as WILDS does.
	FMoWOtherRegion = "Other"
)

// fmowSet is one split of FMoW with each image's region and year.
type fmowSet struct {
	*folderSet
	regions, years []string
	region, year   []int // per sample
}

// WILDSDataset names WILDS' fmow eval: acc_avg, and accuracy per year and per region with the worst of each.
func (fmowSet) WILDSDataset() string { return "fmow" }

// ExampleGroups are the year and the region of each image.
func (d *fmowSet) ExampleGroups() []datasets.Grouping {
	n := len(d.samples)
	return []datasets.Grouping{
		{Field: "year", Names: d.years, Of: d.year[:n:n]},
		{Field: "region", Names: d.regions, Of: d.region[:n:n], NotWorst: []string{FMoWOtherRegion}},
	}
}

// FMOWID opens FMoW with the in-distribution test split (WILDS' "id_test": test images from before 2013) as its
// Test split and "train" as its Train split. See openFMoW for the layout.
func FMOWID(opts datasets.Options) (datasets.Dataset, error) {
	return openFMoW("FMOWID", "id_test", withDefaults(opts))
}

// FMOWOOD opens FMoW with the out-of-distribution test split (WILDS' "test": test images from 2016 on) as its
// Test split and "train" as its Train split.
func FMOWOOD(opts datasets.Options) (datasets.Dataset, error) {
	return openFMoW("FMOWOOD", "test", withDefaults(opts))
}

// openFMoW reads Location/fmow_v1.1/rgb_metadata.csv (split, category, country_code, timestamp) and
// country_code_mapping.csv (alpha-3, region), and keeps the rows of the split under WILDS' official scheme, in file
// order; the image of row i (counting every row, the sequestered "seq" ones too) is images/rgb_img_<i>.png.
// Regions come from the country codes ("Other" for a code the mapping lacks or leaves without region), in order
// of first appearance in the whole file, as WILDS numbers them; years run from 2002 to the last year of the
// non-sequestered rows.
func openFMoW(name, testSplit string, opts datasets.Options) (datasets.Dataset, error) {
	if err := checkSplit(name, opts.Split); err != nil {
		return nil, err
	}
	split := "train"
	if opts.Split == datasets.Test {
		split = testSplit
	}
	dir := filepath.Join(opts.Location, FMoWDir)
	expected := "WILDS' FMoW release: " + dir + "/rgb_metadata.csv, country_code_mapping.csv and images/rgb_img_<row>.png"
	meta, err := readCSV(name, filepath.Join(dir, "rgb_metadata.csv"), expected, "split", "category", "country_code", "timestamp")
	if err != nil {
		return nil, err
	}
	codes, err := readCSV(name, filepath.Join(dir, "country_code_mapping.csv"), expected, "alpha-3", "region")
	if err != nil {
		return nil, err
	}
	regionOf := map[string]string{}
	for i := range codes.rows {
		if r := codes.get(i, "region"); r != "" {
			regionOf[codes.get(i, "alpha-3")] = r
		}
	}
	label := make(map[string]int, len(FMoWClassNames))
	for i, c := range FMoWClassNames {
		label[c] = i
	}
	d := &fmowSet{folderSet: &folderSet{name: name, classes: FMoWClassNames, templates: templates.FMoW,
		root: filepath.Join(dir, "images"), dirs: []string{""}}}
	lastYear := FMoWFirstYear
	for i := range meta.rows {
		bad := func(problem string) error {
			return &LayoutError{Dataset: name, Path: meta.path, Expected: expected, Problem: fmt.Sprintf("row %d: %s", i+2, problem)}
		}
		region, ok := regionOf[meta.get(i, "country_code")]
		if !ok {
			region = FMoWOtherRegion
		}
		r := slices.Index(d.regions, region)
		if r < 0 {
			r = len(d.regions)
			d.regions = append(d.regions, region)
		}
		rowSplit := meta.get(i, "split")
		if rowSplit == "seq" {
			continue
		}
		ts, err := parseFMoWTime(meta.get(i, "timestamp"))
		if err != nil {
			return nil, bad(err.Error())
		}
		year := ts.Year()
		if year < FMoWFirstYear || year > FMoWLastYear {
			return nil, bad(fmt.Sprintf("year %d outside %d-%d", year, FMoWFirstYear, FMoWLastYear))
		}
		lastYear = max(lastYear, year)
		if fmowSplit(rowSplit, ts) != split {
			continue
		}
		y, ok := label[meta.get(i, "category")]
		if !ok {
			return nil, bad(fmt.Sprintf("unknown category %q", meta.get(i, "category")))
		}
		d.samples = append(d.samples, sample{label: int32(y), file: "rgb_img_" + strconv.Itoa(i) + ".png"})
		d.region = append(d.region, r)
		d.year = append(d.year, year-FMoWFirstYear)
	}
	for y := FMoWFirstYear; y <= lastYear; y++ {
		d.years = append(d.years, strconv.Itoa(y))
	}
	if len(d.samples) == 0 {
		return nil, &LayoutError{Dataset: name, Path: meta.path, Expected: expected, Problem: fmt.Sprintf("no image of split %q", split)}
	}
	d.limit(opts.Limit)
	return d, nil
}

// fmowSplit is WILDS' split of a row under the official scheme: "test" and "val" rows from 2016 on stay "test" and
// "val" (out of distribution), those from 2013 to 2015 are out-of-distribution validation data, and older rows are
// in distribution ("train", "id_val", "id_test"). Rows out of every split give "".
func fmowSplit(split string, ts time.Time) string {
	ood := !ts.Before(fmowOODStart)
	oodVal := !ood && !ts.Before(fmowValStart)
	switch {
	case split == "test" && ood:
		return "test"
	case split == "val" && oodVal:
		return "val"
	case ood || oodVal:
		return ""
	case split == "test":
		return "id_test"
	case split == "val":
		return "id_val"
	case split == "train":
		return "train"
	}
	return ""
}

// parseFMoWTime reads the metadata's ISO 8601 timestamps ("2016-02-29T10:38:32Z", with or without fractional
// seconds or a zone; no zone means UTC, as pandas reads them).
func parseFMoWTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q is not an ISO 8601 date and time", s)
}
