package datasets

// Optional interfaces by which a dataset supplies what its benchmark's metrics need beyond labels (the metrics
// themselves are computed in package wiseft), and how the paper's code feeds it to fine-tuning. Each is found
// through wrappers (Limit, Slice, Rename, Corrupt) by the helpers below, with example indices translated.

// WILDS is implemented by the WILDS datasets (iWildCam, FMoW): WILDSDataset names the WILDS dataset whose
// eval() the metrics follow ("iwildcam": acc_avg, recall-macro_all, F1-macro_all; "fmow": acc_avg and the
// accuracy of each year and region with the worst of each), as the paper's code scores them.
type WILDS interface {
	WILDSDataset() string
}

// Grouping assigns every example of a dataset to one of a few named groups (FMoW's regions or years), for the
// per-group and worst-group accuracies of its benchmark.
type Grouping struct {
	// Field names the grouping, as WILDS' metadata field does: "region", "year".
	Field string
	// Names are the groups, in group order; a group may have no example in a given split.
	Names []string
	// Of is the group (an index into Names) of each example, one entry per example of the dataset.
	Of []int
	// NotWorst lists groups left out of the worst-group accuracy (FMoW's region "Other").
	NotWorst []string
}

// ExampleGroups is implemented by datasets whose examples fall into groups scored separately.
type ExampleGroups interface {
	ExampleGroups() []Grouping
}

// PerturbationSet is one anchor frame of a video and the frames near it (ImageNet-Vid-Robust, YTBB-Robust). The
// anchor counts as correct under pm-k only if it and every frame of its set are classified as one of their
// accepted labels.
type PerturbationSet struct {
	// Anchor is the example index of the anchor frame; Frames are the example indices of its neighbours.
	Anchor int
	Frames []int
	// Accept lists the labels counted correct for the anchor (Accept[0]) and for each frame (Accept[1+i]): a
	// frame of ImageNet-Vid-Robust has its own labels, one of YTBB-Robust takes its anchor's.
	Accept [][]int
}

// PerturbationSets is implemented by the video datasets scored by pm-k (Shankar et al., "Do image classifiers
// generalize across time?"): K is the largest frame distance of the sets (10: "pm10").
type PerturbationSets interface {
	PerturbationSets() (k int, sets []PerturbationSet)
}

// InOrder is implemented by training sets that the paper's code fine-tunes on in index order, unshuffled: its
// CIFAR-100 loader has no shuffle, and ImageNet-K's sampler yields the chosen shots class by class every epoch.
type InOrder interface {
	TrainInOrder() bool
}

// WILDSOf returns the WILDS dataset name of ds (directly or through wrappers), or "".
func WILDSOf(ds Dataset) string {
	if w, _, ok := find[WILDS](ds); ok {
		return w.WILDSDataset()
	}
	return ""
}

// TrainsInOrder reports whether ds (directly or through wrappers) is fine-tuned on in index order.
func TrainsInOrder(ds Dataset) bool {
	o, _, ok := find[InOrder](ds)
	return ok && o.TrainInOrder()
}

// GroupsOf returns the groupings of ds's examples (directly or through wrappers), indexed by ds's own example
// indices, and false when ds has none.
func GroupsOf(ds Dataset) ([]Grouping, bool) {
	g, base, ok := find[ExampleGroups](ds)
	if !ok {
		return nil, false
	}
	var out []Grouping
	for _, gr := range g.ExampleGroups() {
		of := make([]int, ds.Len())
		for i := range of {
			j := base(i)
			if j < 0 || j >= len(gr.Of) {
				return nil, false
			}
			of[i] = gr.Of[j]
		}
		gr.Of = of
		out = append(out, gr)
	}
	return out, true
}

// PerturbationSetsOf returns the pm-k sets of ds (directly or through wrappers) in ds's own example indices,
// and false when ds has none. A set with a frame that ds leaves out (Limit, Slice) is dropped; dropped counts
// them.
func PerturbationSetsOf(ds Dataset) (k int, sets []PerturbationSet, dropped int, ok bool) {
	p, base, ok := find[PerturbationSets](ds)
	if !ok {
		return 0, nil, 0, false
	}
	inv := make(map[int]int, ds.Len())
	for i := range ds.Len() {
		inv[base(i)] = i
	}
	k, all := p.PerturbationSets()
	for _, s := range all {
		a, ok := inv[s.Anchor]
		frames := make([]int, len(s.Frames))
		for i, f := range s.Frames {
			var fok bool
			frames[i], fok = inv[f]
			ok = ok && fok
		}
		if !ok {
			dropped++
			continue
		}
		sets = append(sets, PerturbationSet{Anchor: a, Frames: frames, Accept: s.Accept})
	}
	return k, sets, dropped, true
}

// find follows ds's wrappers down to the first dataset implementing T, and returns it with the map from ds's
// example indices to its own.
func find[T any](ds Dataset) (T, func(int) int, bool) {
	offset := 0
	for ds != nil {
		if t, ok := ds.(T); ok {
			return t, func(i int) int { return i + offset }, true
		}
		if s, ok := ds.(*sliced); ok {
			offset += s.lo
		}
		u, ok := ds.(Unwrapper)
		if !ok {
			break
		}
		ds = u.Unwrap()
	}
	var zero T
	return zero, nil, false
}
