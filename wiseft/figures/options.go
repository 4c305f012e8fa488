package figures

import "gonum.org/v1/plot/vg"

// DefaultGroupKeys are the record fields that tell runs apart when a log
// holds several: records that agree on all of them form one curve.
var DefaultGroupKeys = []string{"model", "train_dataset", "save"}

// Figure size and PNG resolution.
const (
	Width  = 6 * vg.Inch
	Height = 5 * vg.Inch
	DPI    = 150 // PNG dots per inch: 900×750 pixels
)

// Option changes how figures are drawn.
type Option func(*options)

type options struct {
	groupKeys []string
	annotate  []float64 // nil: default
}

// GroupBy sets the record fields that tell runs apart (default
// [DefaultGroupKeys]); each distinct combination of their values is
// drawn as its own curve. GroupBy() with no keys draws all records as
// one curve.
//
//	figs, err := figures.Scatter(recs, "ImageNet", shifts, figures.GroupBy("model", "lr"))
func GroupBy(keys ...string) Option {
	return func(o *options) { o.groupKeys = append([]string{}, keys...) }
}

// AnnotateAlphas sets the mixing coefficients α labelled next to their
// points on the scatter curves. The default is 0.5 and, for a single
// curve, 0.2 and 0.8 (or 0.25 and 0.75 where the run lacks those).
// AnnotateAlphas() with no values labels none.
func AnnotateAlphas(alphas ...float64) Option {
	return func(o *options) { o.annotate = append([]float64{}, alphas...) }
}

func makeOptions(opts []Option) options {
	o := options{groupKeys: DefaultGroupKeys}
	for _, f := range opts {
		f(&o)
	}
	return o
}
