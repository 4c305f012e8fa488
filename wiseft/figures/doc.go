// Package figures draws the WiSE-FT figures from typed curves
// (results.Curve: a results log grouped by results.Curves, or a sweep's
// wiseft.SweepResult.Curve) with gonum.org/v1/plot.
//
// [Scatter] draws the paper's main figure: for each distribution shift,
// and for the average over the shifts, shift accuracy against
// in-distribution accuracy, both on logit axes labelled in percent. Each
// run is one curve through its
// mixing coefficients α in increasing order, with the zero-shot model
// (α=0) marked by a star, the fine-tuned model (α=1) by a diamond, and
// the line y = x dashed; a run whose records also hold the output-space
// ensemble's accuracies (results.Curve.Outputs, read from
// "<dataset>:output_ensemble_top1") gets its
// dashed curve beside WiSE-FT's, as in the paper's comparison.
// [AlphaCurves] draws accuracy against α. [SaveAll]
// writes the scatter figures as SVG and PNG.
//
//	recs, _, err := results.Read("results.jsonl")
//	...
//	curves, err := results.Curves(recs, figures.DefaultGroupKeys...)
//	...
//	files, err := figures.SaveAll(curves, "ImageNet",
//		[]string{"ImageNetV2", "ImageNetR", "ImageNetSketch", "ObjectNet", "ImageNetA"}, "plots")
package figures
