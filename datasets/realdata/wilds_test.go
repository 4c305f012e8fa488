package realdata

import (
	"fmt"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
)

// makeIWildCam writes a small iwildcam_v2.0 release: metadata.csv with pandas' unnamed index column and WILDS'
// columns, one image per row in train/, and MegaDetector results; it returns the location and the rows' files.
func makeIWildCam(t *testing.T) string {
	loc := t.TempDir()
	dir := filepath.Join(loc, "iwildcam_v2.0")
	rows := []struct {
		split string
		y     int
		conf  float64
	}{{"train", 3, 0.99}, {"id_test", 0, 0.10}, {"test", 181, 0.96}, {"train", 0, 0.2}, {"id_test", 8, 0.95},
		{"val", 5, 0.99}, {"test", 8, 0.5}, {"id_val", 1, 0.99}}
	var csv strings.Builder
	csv.WriteString(",split,location_remapped,location,sequence_remapped,sequence,datetime,image_id,filename,y\n")
	var md []string
	for i, r := range rows {
		id := fmt.Sprintf("96%02dabc", i)
		file := id + ".jpg"
		fmt.Fprintf(&csv, "%d,%s,%d,%d,%d,seq%d,2013-06-0%d 10:00:00.000,%s,%s,%d\n", i, r.split, i%3, 40+i, i, i, 1+i%7, id, file, r.y)
		md = append(md, fmt.Sprintf(`{"id": %q, "max_detection_conf": %v, "detections": []}`, id, r.conf))
		writeImage(t, filepath.Join(dir, "train", file), solid(8, 6, color.RGBA{R: uint8(20 * i), A: 255}))
	}
	writeFile(t, filepath.Join(dir, "metadata.csv"), []byte(csv.String()))
	writeFile(t, filepath.Join(dir, "iwildcam2020_megadetector_results.json"),
		[]byte(`{"info": {}, "images": [`+strings.Join(md, ", ")+`]}`))
	return loc
}

func TestIWildCam(t *testing.T) {
	loc := makeIWildCam(t)
	cases := []struct {
		name  string
		split datasets.Split
		want  []int // labels, in file order
	}{
		{"IWildCamID", datasets.Test, []int{0, 8}},
		{"IWildCamOOD", datasets.Test, []int{181, 8}},
		{"IWildCamID", datasets.Train, []int{3, 0}},
		{"IWildCamOOD", datasets.Train, []int{3, 0}},
		{"IWildCamIDNonEmpty", datasets.Test, []int{8}}, // confidence 0.95 is kept: the threshold is ≥ 0.95
		{"IWildCamOODNonEmpty", datasets.Test, []int{181}},
		{"IWildCamIDNonEmpty", datasets.Train, []int{3}},
	}
	for _, c := range cases {
		t.Run(c.name+"/"+string(c.split), func(t *testing.T) {
			ds := open(t, c.name, datasets.Options{Location: loc, Split: c.split})
			if got := labels(t, ds); !slices.Equal(got, c.want) {
				t.Errorf("labels %v, want %v", got, c.want)
			}
			if datasets.WILDSOf(ds) != "iwildcam" || len(ds.ClassNames()) != 182 || ds.ClassNames()[0] != "empty" ||
				ds.ClassNames()[181] != IWildCamClassNames[181] || len(ds.Templates()) != 2 {
				t.Errorf("WILDS %q, %d classes, %d templates", datasets.WILDSOf(ds), len(ds.ClassNames()), len(ds.Templates()))
			}
		})
	}
	if IWildCamClassNames[1] != "white-lipped peccary" || IWildCamClassNames[8] != "ocelot" {
		t.Errorf("class names %q, %q: want the paper's lower-cased English names", IWildCamClassNames[1], IWildCamClassNames[8])
	}
}

func TestIWildCamErrors(t *testing.T) {
	_, err := datasets.Open("IWildCamOOD", datasets.Options{Location: t.TempDir()})
	wantMissing(t, err, "metadata.csv")
	loc := makeIWildCam(t)
	meta := filepath.Join(loc, "iwildcam_v2.0", "metadata.csv")
	writeFile(t, meta, []byte("split,filename\ntest,a.jpg\n"))
	_, err = datasets.Open("IWildCamOOD", datasets.Options{Location: loc})
	wantLayout(t, err, `no "y" column`)
	writeFile(t, meta, []byte("split,filename,y,image_id\ntest,a.jpg,182,a\n"))
	_, err = datasets.Open("IWildCamOOD", datasets.Options{Location: loc})
	wantLayout(t, err, "row 2", "not in [0, 182)")
	writeFile(t, meta, []byte("split,filename,y,image_id\ntest,a.jpg,1,nobody\n"))
	_, err = datasets.Open("IWildCamOODNonEmpty", datasets.Options{Location: loc})
	wantLayout(t, err, `"nobody" has no MegaDetector result`)
	_, err = datasets.Open("IWildCamID", datasets.Options{Location: loc})
	wantLayout(t, err, `no image of split "id_test"`)
}

// makeFMoW writes a small fmow_v1.1 release whose rows exercise WILDS' official split (2013 and 2016 cut-offs),
// a sequestered row (which keeps its place in the image numbering), a country without region and one the mapping
// lacks.
func makeFMoW(t *testing.T) string {
	loc := t.TempDir()
	dir := filepath.Join(loc, "fmow_v1.1")
	rows := [][4]string{ // split, category, country_code, timestamp
		{"train", "airport", "USA", "2010-05-01T10:00:00Z"},               // 0 train, Americas
		{"train", "zoo", "FRA", "2014-05-01T10:00:00Z"},                   // 1 out of every split (OOD validation years)
		{"test", "barn", "KEN", "2005-01-02T03:04:05.123Z"},               // 2 id_test, Africa
		{"seq", "dam", "AUS", "2019-01-01T00:00:00Z"},                     // 3 sequestered
		{"test", "dam", "AUS", "2017-12-31T23:59:59Z"},                    // 4 test (OOD), Oceania
		{"test", "port", "ATA", "2016-01-01T00:00:00Z"},                   // 5 test, a country without region: Other
		{"val", "port", "JPN", "2014-07-07T07:07:07Z"},                    // 6 OOD val
		{"test", "multi-unit_residential", "XKX", "2012-12-31T23:59:59Z"}, // 7 id_test, a code the mapping lacks: Other
		{"train", "zoo", "JPN", "2002-01-01T00:00:00Z"},                   // 8 train, Asia
	}
	var meta strings.Builder
	meta.WriteString("split,img_filename,img_path,spatial_reference,epsg,category,visible,img_width,img_height,country_code,cloud_cover,timestamp,lat,lon\n")
	for i, r := range rows {
		fmt.Fprintf(&meta, "%s,%s_%d_rgb.jpg,train/%s/%d.jpg,\"PROJCS[\"\"x\"\"]\",32601,%s,True,224,224,%s,0,%s,1.5,2.5\n",
			r[0], r[1], i, r[1], i, r[1], r[2], r[3])
		writeImage(t, filepath.Join(dir, "images", fmt.Sprintf("rgb_img_%d.png", i)), solid(4, 4, color.RGBA{G: uint8(9 * i), A: 255}))
	}
	writeFile(t, filepath.Join(dir, "rgb_metadata.csv"), []byte(meta.String()))
	writeFile(t, filepath.Join(dir, "country_code_mapping.csv"), []byte(`name,alpha-2,alpha-3,country-code,iso_3166-2,region,sub-region
United States of America,US,USA,840,ISO 3166-2:US,Americas,Northern America
France,FR,FRA,250,ISO 3166-2:FR,Europe,Western Europe
Kenya,KE,KEN,404,ISO 3166-2:KE,Africa,Sub-Saharan Africa
Australia,AU,AUS,036,ISO 3166-2:AU,Oceania,Australia and New Zealand
Antarctica,AQ,ATA,010,ISO 3166-2:AQ,,
Japan,JP,JPN,392,ISO 3166-2:JP,Asia,Eastern Asia
`))
	return loc
}

func TestFMoW(t *testing.T) {
	loc := makeFMoW(t)
	regions := []string{"Americas", "Europe", "Africa", "Oceania", "Other", "Asia"} // first appearance in the file
	years := []string{}
	for y := 2002; y <= 2017; y++ {
		years = append(years, fmt.Sprint(y))
	}
	cat := func(names ...string) []int {
		var out []int
		for _, n := range names {
			out = append(out, slices.Index(FMoWClassNames, n))
		}
		return out
	}
	cases := []struct {
		name    string
		split   datasets.Split
		files   []string
		labels  []int
		regions []int
		years   []int
	}{
		{"FMOWOOD", datasets.Test, []string{"rgb_img_4.png", "rgb_img_5.png"}, cat("dam", "port"), []int{3, 4}, []int{15, 14}},
		{"FMOWID", datasets.Test, []string{"rgb_img_2.png", "rgb_img_7.png"}, cat("barn", "multi-unit_residential"),
			[]int{2, 4}, []int{3, 10}},
		{"FMOWID", datasets.Train, []string{"rgb_img_0.png", "rgb_img_8.png"}, cat("airport", "zoo"), []int{0, 5}, []int{8, 0}},
	}
	for _, c := range cases {
		t.Run(c.name+"/"+string(c.split), func(t *testing.T) {
			ds := open(t, c.name, datasets.Options{Location: loc, Split: c.split})
			if got := labels(t, ds); !slices.Equal(got, c.labels) {
				t.Errorf("labels %v, want %v", got, c.labels)
			}
			var files []string
			for i := range ds.Len() {
				files = append(files, filepath.Base(ds.(*fmowSet).Path(i)))
			}
			if !slices.Equal(files, c.files) {
				t.Errorf("files %v, want %v", files, c.files)
			}
			g, ok := datasets.GroupsOf(ds)
			if !ok || len(g) != 2 || g[0].Field != "year" || g[1].Field != "region" {
				t.Fatalf("groups %+v", g)
			}
			if !slices.Equal(g[0].Names, years) || !slices.Equal(g[0].Of, c.years) {
				t.Errorf("years %v of %v, want %v", g[0].Of, g[0].Names, c.years)
			}
			if !slices.Equal(g[1].Names, regions) || !slices.Equal(g[1].Of, c.regions) || !slices.Equal(g[1].NotWorst, []string{"Other"}) {
				t.Errorf("regions %v of %v (not worst %v), want %v of %v", g[1].Of, g[1].Names, g[1].NotWorst, c.regions, regions)
			}
			if datasets.WILDSOf(ds) != "fmow" || len(ds.ClassNames()) != 62 || len(ds.Templates()) != 16 {
				t.Errorf("WILDS %q, %d classes, %d templates", datasets.WILDSOf(ds), len(ds.ClassNames()), len(ds.Templates()))
			}
		})
	}
	// A limit keeps the groups of the kept examples.
	ds := open(t, "FMOWOOD", datasets.Options{Location: loc, Limit: 1})
	if g, _ := datasets.GroupsOf(ds); len(g[1].Of) != 1 || g[1].Of[0] != 3 {
		t.Errorf("limited groups %+v", g)
	}
}

func TestFMoWErrors(t *testing.T) {
	loc := makeFMoW(t)
	meta := filepath.Join(loc, "fmow_v1.1", "rgb_metadata.csv")
	for _, c := range []struct{ csv, want string }{
		{"split,category,country_code,timestamp\ntest,castle,USA,2017-01-01T00:00:00Z\n", `unknown category "castle"`},
		{"split,category,country_code,timestamp\ntest,dam,USA,yesterday\n", "not an ISO 8601"},
		{"split,category,country_code,timestamp\ntest,dam,USA,2001-01-01T00:00:00Z\n", "year 2001 outside 2002-2017"},
		{"split,category,country_code\ntest,dam,USA\n", `no "timestamp" column`},
	} {
		writeFile(t, meta, []byte(c.csv))
		_, err := datasets.Open("FMOWOOD", datasets.Options{Location: loc})
		wantLayout(t, err, c.want)
	}
	_, err := datasets.Open("FMOWID", datasets.Options{Location: t.TempDir()})
	wantMissing(t, err, "rgb_metadata.csv")
}
