package figures

import "gonum.org/v1/plot/vg"

// DefaultGroupKeys are the record fields that tell runs apart when a log
// holds several (see results.Curves): records that agree on all of them
// form one curve.
var DefaultGroupKeys = []string{"model", "train_dataset", "method", "save"}

// Figure size and PNG resolution.
const (
	Width  = 6 * vg.Inch
	Height = 5 * vg.Inch
	DPI    = 150 // PNG dots per inch: 900×750 pixels
)

// Option changes how figures are drawn.
type Option func(*options)

type options struct {
	annotate []float64 // nil: default
	mark     *float64  // AlphaCurves: the α of a vertical line (nil: none)
}

// MarkAlpha makes [AlphaCurves] draw a dashed vertical line at α under
// the curves, the legend and the notes (an interactive explorer's
// current α).
func MarkAlpha(alpha float64) Option {
	return func(o *options) { o.mark = &alpha }
}

// AnnotateAlphas sets the mixing coefficients α labelled next to their
// points on the scatter curves. The default is 0.5 and, for a single
// curve, 0.2 and 0.8 (or 0.25 and 0.75 where the run lacks those).
// AnnotateAlphas() with no values labels none.
func AnnotateAlphas(alphas ...float64) Option {
	return func(o *options) { o.annotate = append([]float64{}, alphas...) }
}

func makeOptions(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}
