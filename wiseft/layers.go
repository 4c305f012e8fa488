package wiseft

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
)

// GroupDistance is how far one group of tensors moved between two models.
type GroupDistance struct {
	// Group names the tensors: "vision embeddings", "vision layer 0", ..., "visual projection", "head", "other".
	Group string
	// Params is the number of values in the group.
	Params int
	// Distance is ‖θ1 − θ0‖₂ over the group; Norm0 is ‖θ0‖₂.
	Distance, Norm0 float64
}

// Relative is Distance / Norm0 (0 when Norm0 is 0).
func (g GroupDistance) Relative() float64 {
	if g.Norm0 == 0 {
		return 0
	}
	return g.Distance / g.Norm0
}

var layerRE = regexp.MustCompile(`^(vision|text)_model\.encoder\.layers\.(\d+)\.`)

// TensorGroup names the block a CLIP tensor belongs to, from the input of the image tower to the head:
// "vision embeddings" (patch, class and position embeddings and the pre-LayerNorm), "vision layer <i>" for each
// transformer block, "vision final norm", "visual projection", "head"; the text tower's tensors are "text layer <i>"
// and "text tower", anything else "other". Layer-wise weight distances and layer-wise α use these blocks.
func TensorGroup(name string) string {
	if m := layerRE.FindStringSubmatch(name); m != nil {
		return m[1] + " layer " + m[2]
	}
	switch {
	case strings.HasPrefix(name, "vision_model.embeddings.") || strings.HasPrefix(name, "vision_model.pre_layrnorm."):
		return "vision embeddings"
	case strings.HasPrefix(name, "vision_model.post_layernorm."):
		return "vision final norm"
	case strings.HasPrefix(name, "visual_projection."):
		return "visual projection"
	case strings.HasPrefix(name, clipmodel.HeadPrefix):
		return "head"
	case strings.HasPrefix(name, "text_model.") || strings.HasPrefix(name, "text_projection."):
		return "text tower"
	}
	return "other"
}

// WeightDistances measures, per group of tensors (embeddings, each layer, projection, head, ...) and in total
// (the last entry, "total"), how far θ1 is from θ0. Groups that did not move (the text tower, which
// fine-tuning leaves alone) are included with distance 0. The models must have the same tensors.
func WeightDistances(theta0, theta1 clipmodel.Weights) ([]GroupDistance, error) {
	groups := map[string]*GroupDistance{}
	var order []string
	var total GroupDistance
	total.Group = "total"
	for _, name := range theta0.Names() {
		a, b := theta0[name], theta1[name]
		if b == nil || len(a.Data) != len(b.Data) {
			return nil, fmt.Errorf("weight distances: tensor %q is missing or has another size in the second model", name)
		}
		g := TensorGroup(name)
		if groups[g] == nil {
			groups[g] = &GroupDistance{Group: g}
			order = append(order, g)
		}
		var d2, n2 float64
		for i, x := range a.Data {
			d := float64(b.Data[i]) - float64(x)
			d2 += d * d
			n2 += float64(x) * float64(x)
		}
		gd := groups[g]
		gd.Params += len(a.Data)
		gd.Distance += d2 // squared until the end
		gd.Norm0 += n2
		total.Params += len(a.Data)
		total.Distance += d2
		total.Norm0 += n2
	}
	if len(theta1) != len(theta0) {
		return nil, fmt.Errorf("weight distances: the models have %d and %d tensors", len(theta0), len(theta1))
	}
	sort.SliceStable(order, func(i, j int) bool { return GroupRank(order[i]) < GroupRank(order[j]) })
	out := make([]GroupDistance, 0, len(order)+1)
	for _, g := range order {
		gd := *groups[g]
		gd.Distance, gd.Norm0 = math.Sqrt(gd.Distance), math.Sqrt(gd.Norm0)
		out = append(out, gd)
	}
	total.Distance, total.Norm0 = math.Sqrt(total.Distance), math.Sqrt(total.Norm0)
	return append(out, total), nil
}

// GroupRank is a sort key of TensorGroup's names: from the input of the image tower to the head, the text tower
// last.
func GroupRank(g string) string {
	switch {
	case g == "vision embeddings":
		return "0"
	case strings.HasPrefix(g, "vision layer "):
		return fmt.Sprintf("1%04s", strings.TrimPrefix(g, "vision layer "))
	case g == "vision final norm":
		return "2"
	case g == "visual projection":
		return "3"
	case g == "head":
		return "4"
	}
	return "5" + g
}
