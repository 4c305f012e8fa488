package realdata

import (
	"slices"
	"sort"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

func TestImageNetClassLists(t *testing.T) {
	if len(ImageNetWNIDs) != 1000 || len(ImageNetClassNames) != 1000 || len(ImageNetSynsetLabels) != 1000 {
		t.Fatalf("lengths %d, %d, %d; want 1000", len(ImageNetWNIDs), len(ImageNetClassNames), len(ImageNetSynsetLabels))
	}
	if !sort.StringsAreSorted(ImageNetWNIDs) {
		t.Error("WordNet ids are not sorted")
	}
	if n := len(distinct(ImageNetWNIDs)); n != 1000 {
		t.Errorf("%d distinct WordNet ids, want 1000", n)
	}
	// OpenAI's list repeats exactly two names, each for two different synsets.
	if dups := duplicates(ImageNetClassNames); !slices.Equal(dups, []string{"missile", "sunglasses"}) {
		t.Errorf("duplicated class names %v, want [missile sunglasses]", dups)
	}
	if dups := duplicates(ImageNetSynsetLabels); !slices.Equal(dups, []string{"crane"}) {
		t.Errorf("duplicated synset labels %v, want [crane]", dups)
	}
	for _, c := range []struct {
		i          int
		wnid, name string
	}{
		{0, "n01440764", "tench"}, {1, "n01443537", "goldfish"}, {134, "n02012849", "crane bird"},
		{409, "n02708093", "analog clock"}, {517, "n03126707", "construction crane"},
		{970, "n09193705", "mountain"}, {999, "n15075141", "toilet paper"},
	} {
		if ImageNetWNIDs[c.i] != c.wnid || ImageNetClassNames[c.i] != c.name {
			t.Errorf("class %d = %s %q, want %s %q", c.i, ImageNetWNIDs[c.i], ImageNetClassNames[c.i], c.wnid, c.name)
		}
		if l, ok := ImageNetLabel(c.wnid); !ok || l != c.i {
			t.Errorf("ImageNetLabel(%s) = %d, %v", c.wnid, l, ok)
		}
	}
	if ImageNetSynsetLabels[0] != "tench, Tinca tinca" {
		t.Errorf("synset label 0 = %q", ImageNetSynsetLabels[0])
	}
	if _, ok := ImageNetLabel("n00000000"); ok {
		t.Error("unknown WordNet id accepted")
	}
}

func TestSubsetClassLists(t *testing.T) {
	for _, c := range []struct {
		name        string
		list        []int
		first, last string
	}{
		{"ImageNet-R", ImageNetRClasses, "n01443537", "n12267677"},
		{"ImageNet-A", ImageNetAClasses, "n01498041", "n12267677"},
	} {
		if len(c.list) != 200 || !slices.IsSorted(c.list) || len(distinctInts(c.list)) != 200 ||
			c.list[0] < 0 || c.list[199] >= 1000 {
			t.Errorf("%s: want 200 distinct increasing labels in [0, 1000), got %d", c.name, len(c.list))
			continue
		}
		if ImageNetWNIDs[c.list[0]] != c.first || ImageNetWNIDs[c.list[199]] != c.last {
			t.Errorf("%s: first and last classes %s, %s; want %s, %s", c.name, ImageNetWNIDs[c.list[0]],
				ImageNetWNIDs[c.list[199]], c.first, c.last)
		}
	}
	if len(CIFAR10ClassNames) != 10 || len(distinct(CIFAR100ClassNames)) != 100 {
		t.Error("CIFAR class name lists")
	}
}

func TestRegisteredNamesAndTemplates(t *testing.T) {
	known := distinct(datasets.Names())
	for _, n := range Names {
		if !known[n] {
			t.Errorf("%s is not registered", n)
		}
	}
	for _, n := range []string{"ImageNet", "ImageNet16", "ImageNetR", "ObjectNet", "CIFAR10", "CIFAR102"} {
		if !slices.Contains(Names, n) {
			t.Errorf("Names lacks %s", n)
		}
	}
	ts, err := templates.Get("cifar_template")
	if err != nil || len(ts) != 18 {
		t.Errorf("cifar_template: %d templates, %v", len(ts), err)
	}
}

func distinct(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func distinctInts(xs []int) map[int]bool {
	m := map[int]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// duplicates lists, sorted, the values that occur more than once.
func duplicates(xs []string) []string {
	count := map[string]int{}
	for _, x := range xs {
		count[x]++
	}
	var out []string
	for x, n := range count {
		if n > 1 {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
