package figures

import (
	"fmt"
	"slices"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// checkCurves validates the input common to all figures (see results.CheckCurves), as a plot error.
func checkCurves(curves []results.Curve, id string, shifts []string) error {
	if err := results.CheckCurves(curves, id, shifts); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}

// OutputEnsembleLabel is the legend label of the output-space ensemble's curve (results.OutputEnsembleLabel).
const OutputEnsembleLabel = results.OutputEnsembleLabel

// withOutputCurves appends to runs the output-space ensemble's curve of each that has one.
func withOutputCurves(runs []results.Curve) []results.Curve {
	out := slices.Clone(runs)
	for _, r := range runs {
		if o, ok := r.OutputCurve(); ok {
			out = append(out, o)
		}
	}
	return out
}
