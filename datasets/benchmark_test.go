package datasets

import (
	"image"
	"reflect"
	"testing"
)

// scoredSet is a ten-example dataset declaring every optional benchmark interface: example i is in region i%3
// and the pm-k sets are anchors 0, 4 and 7 with their next two examples.
type scoredSet struct{}

func (scoredSet) Name() string         { return "scored" }
func (scoredSet) ClassNames() []string { return []string{"a", "b"} }
func (scoredSet) Templates() []string  { return []string{"{}"} }
func (scoredSet) Len() int             { return 10 }
func (scoredSet) Example(i int) (image.Image, int, error) {
	return image.NewGray(image.Rect(0, 0, 1, 1)), i % 2, nil
}
func (scoredSet) WILDSDataset() string { return "fmow" }
func (scoredSet) TrainInOrder() bool   { return true }
func (scoredSet) ExampleGroups() []Grouping {
	return []Grouping{{Field: "region", Names: []string{"A", "B", "Other"}, Of: []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0},
		NotWorst: []string{"Other"}}}
}
func (scoredSet) PerturbationSets() (int, []PerturbationSet) {
	var sets []PerturbationSet
	for _, a := range []int{0, 4, 7} {
		sets = append(sets, PerturbationSet{Anchor: a, Frames: []int{a + 1, a + 2}, Accept: [][]int{{0}, {1}, {0}}})
	}
	return 10, sets
}

func TestBenchmarkInterfacesThroughWrappers(t *testing.T) {
	base := scoredSet{}
	cases := []struct {
		name    string
		ds      Dataset
		regions []int
		anchors []int // in the wrapped dataset's indices
		frames  [][]int
		dropped int
	}{
		{"plain", base, []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, []int{0, 4, 7}, [][]int{{1, 2}, {5, 6}, {8, 9}}, 0},
		{"limit", Limit(base, 6), []int{0, 1, 2, 0, 1, 2}, []int{0}, [][]int{{1, 2}}, 2},
		{"slice", Slice(base, 3, 9), []int{0, 1, 2, 0, 1, 2}, []int{1}, [][]int{{2, 3}}, 2},
		{"slice of renamed slice", Slice(Rename(Slice(base, 2, 10), "x", nil), 2, 8), []int{1, 2, 0, 1, 2, 0},
			[]int{0, 3}, [][]int{{1, 2}, {4, 5}}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if WILDSOf(c.ds) != "fmow" || !TrainsInOrder(c.ds) {
				t.Errorf("WILDSOf %q, TrainsInOrder %v", WILDSOf(c.ds), TrainsInOrder(c.ds))
			}
			g, ok := GroupsOf(c.ds)
			if !ok || len(g) != 1 || !reflect.DeepEqual(g[0].Of, c.regions) || g[0].NotWorst[0] != "Other" {
				t.Errorf("groups %+v, %v; want regions %v", g, ok, c.regions)
			}
			k, sets, dropped, ok := PerturbationSetsOf(c.ds)
			if !ok || k != 10 || dropped != c.dropped || len(sets) != len(c.anchors) {
				t.Fatalf("k %d, %d sets (%d dropped), %v; want %d sets, %d dropped", k, len(sets), dropped, ok, len(c.anchors), c.dropped)
			}
			for i, s := range sets {
				if s.Anchor != c.anchors[i] || !reflect.DeepEqual(s.Frames, c.frames[i]) || len(s.Accept) != 3 {
					t.Errorf("set %d: %+v, want anchor %d frames %v", i, s, c.anchors[i], c.frames[i])
				}
			}
		})
	}
	plain := Limit(Rename(scoredSet{}, "x", nil), 3)
	var other Dataset = &limited{Dataset: plainSet{}, n: 1}
	if WILDSOf(other) != "" || TrainsInOrder(other) {
		t.Error("a dataset without the interfaces claims them")
	}
	if _, ok := GroupsOf(other); ok {
		t.Error("groups found on a plain dataset")
	}
	if _, _, _, ok := PerturbationSetsOf(plain); !ok {
		t.Error("pm-k sets lost through Rename and Limit")
	}
}

// plainSet declares nothing.
type plainSet struct{ scoredSetless }

type scoredSetless struct{}

func (scoredSetless) Name() string         { return "plain" }
func (scoredSetless) ClassNames() []string { return []string{"a"} }
func (scoredSetless) Templates() []string  { return nil }
func (scoredSetless) Len() int             { return 2 }
func (scoredSetless) Example(int) (image.Image, int, error) {
	return image.NewGray(image.Rect(0, 0, 1, 1)), 0, nil
}
