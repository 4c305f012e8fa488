package figures

import (
	"fmt"

	"github.com/gowiseft/wiseft/wiseft/results"
)

// checkCurves validates the input common to all figures (see results.CheckCurves), as a plot error.
func checkCurves(curves []results.Curve, id string, shifts []string) error {
	if err := results.CheckCurves(curves, id, shifts); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}
