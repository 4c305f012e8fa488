package wiseft

import (
	"math"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
)

// wildsSet is a synthetic dataset declaring a WILDS eval and, for FMoW, the groups of its examples.
type wildsSet struct {
	*memDataset
	wilds  string
	groups []datasets.Grouping
}

func (w wildsSet) WILDSDataset() string               { return w.wilds }
func (w wildsSet) ExampleGroups() []datasets.Grouping { return w.groups }

// videoSet is a synthetic dataset with pm-k sets.
type videoSet struct {
	*memDataset
	sets []datasets.PerturbationSet
}

func (v videoSet) PerturbationSets() (int, []datasets.PerturbationSet) { return 10, v.sets }

// predictions makes one prediction per (label, predicted) pair, indexed in order.
func predictions(pairs ...[2]int) []Prediction {
	out := make([]Prediction, len(pairs))
	for i, p := range pairs {
		out[i] = Prediction{Index: i, Label: p[0], Predicted: p[1]}
	}
	return out
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestDatasetMetricsWILDS(t *testing.T) {
	t.Run("iwildcam", func(t *testing.T) {
		ds := wildsSet{memDataset: syntheticDataset("IWildCamOOD", 4, 6, 1), wilds: "iwildcam"}
		// Classes 0, 1, 2 occur as labels; 3 only as a prediction.
		preds := predictions([2]int{0, 0}, [2]int{0, 3}, [2]int{1, 1}, [2]int{1, 1}, [2]int{2, 0}, [2]int{2, 2})
		m, err := DatasetMetrics(ds, preds)
		if err != nil {
			t.Fatal(err)
		}
		// By hand: recalls 1/2, 1, 1/2; F1 2·1/(2+1+1) = 1/2, 1, 2·1/(2+0+1) = 2/3.
		near(t, "acc_avg", m.Scores["acc_avg"], 4.0/6)
		near(t, "recall-macro_all", m.Scores["recall-macro_all"], (0.5+1+0.5)/3)
		near(t, "F1-macro_all", m.Scores["F1-macro_all"], (0.5+1+2.0/3)/3)
		if len(m.Scores) != 3 || m.Notes != nil {
			t.Errorf("scores %v, notes %v", m.Scores, m.Notes)
		}
	})
	t.Run("fmow", func(t *testing.T) {
		ds := wildsSet{memDataset: syntheticDataset("FMOWOOD", 3, 8, 2), wilds: "fmow", groups: []datasets.Grouping{
			{Field: "region", Names: []string{"Asia", "Europe", "Other", "Africa"}, Of: []int{0, 0, 0, 1, 1, 2, 2, 2},
				NotWorst: []string{"Other"}},
			{Field: "year", Names: []string{"2002", "2003"}, Of: []int{0, 1, 0, 1, 0, 1, 0, 1}},
		}}
		right, wrong := [2]int{1, 1}, [2]int{1, 2}
		preds := predictions(right, right, wrong, right, wrong, wrong, wrong, wrong)
		m, err := DatasetMetrics(ds, preds)
		if err != nil {
			t.Fatal(err)
		}
		// Regions: Asia 2/3, Europe 1/2, Other 0/3 (left out of the worst), Africa empty (0, left out).
		// Years: 2002 holds examples 0, 2, 4, 6: 1/4; 2003 holds 1, 3, 5, 7: 2/4.
		want := map[string]float64{"acc_avg": 3.0 / 8, "acc_region:Asia": 2.0 / 3, "count_region:Asia": 3,
			"acc_region:Europe": 0.5, "count_region:Europe": 2, "acc_region:Other": 0, "count_region:Other": 3,
			"acc_region:Africa": 0, "count_region:Africa": 0, "acc_worst_region": 0.5,
			"acc_year:2002": 0.25, "count_year:2002": 4, "acc_year:2003": 0.5, "count_year:2003": 4, "acc_worst_year": 0.25}
		for k, w := range want {
			v, ok := m.Scores[k]
			if !ok {
				t.Errorf("no %s", k)
			}
			near(t, k, v, w)
		}
		if len(m.Scores) != len(want) {
			t.Errorf("%d scores, want %d: %v", len(m.Scores), len(want), m.Scores)
		}
		// Through a Limit the groups follow the kept examples.
		lim, err := DatasetMetrics(datasets.Limit(ds, 3), preds[:3])
		if err != nil || lim.Scores["acc_worst_region"] != 2.0/3 || lim.Scores["count_region:Europe"] != 0 {
			t.Errorf("limited: %v, %v", lim.Scores, err)
		}
	})
	t.Run("ordinary", func(t *testing.T) {
		m, err := DatasetMetrics(syntheticDataset("MNIST", 2, 2, 3), predictions([2]int{0, 0}, [2]int{1, 0}))
		if err != nil || m.Scores != nil || m.Notes != nil {
			t.Errorf("an ordinary dataset got scores %v, notes %v (%v)", m.Scores, m.Notes, err)
		}
	})
}

func TestDatasetMetricsPMK(t *testing.T) {
	// Frames 0-2 form set A (anchor 1), 3-4 set B (anchor 3), 5-7 set C (anchor 6); frame 7 has no prediction
	// below, so set C is left out. A frame is judged against its Accept entry, not its label.
	sets := []datasets.PerturbationSet{
		{Anchor: 1, Frames: []int{0, 2}, Accept: [][]int{{0}, {0}, {0, 2}}},
		{Anchor: 3, Frames: []int{4}, Accept: [][]int{{1}, {1}}},
		{Anchor: 6, Frames: []int{5, 7}, Accept: [][]int{{2}, {2}, {2}}},
	}
	ds := videoSet{memDataset: syntheticDataset("ImageNetVidRobust", 3, 8, 4), sets: sets}
	cases := []struct {
		name     string
		pred     []int // predictions of frames 0..6
		pm0, pmk float64
	}{
		{"all right", []int{0, 0, 2, 1, 1, 2, 2}, 1, 1},
		{"a neighbour wrong", []int{0, 0, 1, 1, 1, 2, 2}, 1, 0.5},
		{"an anchor wrong, its neighbours right", []int{0, 2, 0, 1, 1, 2, 2}, 0.5, 0.5},
		{"all wrong", []int{1, 1, 1, 0, 0, 0, 0}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			preds := make([]Prediction, len(c.pred))
			for i, p := range c.pred {
				preds[i] = Prediction{Index: i, Label: ds.labels[i], Predicted: p}
			}
			m, err := DatasetMetrics(ds, preds)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "pm0", m.Scores["pm0"], c.pm0)
			near(t, "pm10", m.Scores["pm10"], c.pmk)
			if m.Notes["merge_op"] != "max" {
				t.Errorf("notes %v", m.Notes)
			}
		})
	}
}
