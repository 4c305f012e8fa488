package wiseft

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
)

// DefaultGroup is the key of a LayerAlphas profile that gives the α of every block the profile does not name.
const DefaultGroup = "*"

// LayerAlphas is a layer-wise α profile: the α of each block of tensors, keyed by TensorGroup's names ("vision
// embeddings", "vision layer 0", ..., "vision final norm", "visual projection", "head", "text tower", ...), with
// DefaultGroup ("*") for every block not named.
type LayerAlphas map[string]float64

// ModelGroups lists the blocks (TensorGroup names) of a weight set, in GroupRank order: from the input of the
// image tower to the head, the text tower last.
func ModelGroups(w clipmodel.Weights) []string {
	seen := map[string]bool{}
	var out []string
	for name := range w {
		if g := TensorGroup(name); !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return GroupRank(out[i]) < GroupRank(out[j]) })
	return out
}

// ParseLayerAlphas reads a profile written "group=α,group=α,...", e.g.
// "vision embeddings=0.2,vision layer 0=0.4,*=1" (DefaultGroup "*" for the blocks not named). A block named
// twice, an empty name or a value that is not a finite number is an error.
func ParseLayerAlphas(s string) (LayerAlphas, error) {
	p := LayerAlphas{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("layer-wise α: %q is not group=α (blocks: vision embeddings, vision layer <i>, vision final norm, visual projection, head, text layer <i>, text tower, other, or * for the rest)", part)
		}
		a, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return nil, fmt.Errorf("layer-wise α: %q: the α is not a number", part)
		}
		if err := checkFinite("layer-wise α: "+name, a); err != nil {
			return nil, err
		}
		if !knownGroupName(name) {
			return nil, fmt.Errorf("layer-wise α: %q is not a block (blocks: vision embeddings, vision layer <i>, vision final norm, visual projection, head, text layer <i>, text tower, other, or * for the rest)", name)
		}
		if _, dup := p[name]; dup {
			return nil, fmt.Errorf("layer-wise α: block %q is given twice", name)
		}
		p[name] = a
	}
	return p, nil
}

var groupLayerRE = regexp.MustCompile(`^(vision|text) layer (0|[1-9][0-9]{0,5})$`)

// knownGroupName reports whether name is one of TensorGroup's names (or DefaultGroup).
func knownGroupName(name string) bool {
	switch name {
	case DefaultGroup, "vision embeddings", "vision final norm", "visual projection", "head", "text tower", "other":
		return true
	}
	return groupLayerRE.MatchString(name)
}

// String writes the profile as ParseLayerAlphas reads it, blocks in GroupRank order, "*" last.
func (p LayerAlphas) String() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if k != DefaultGroup {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return GroupRank(keys[i]) < GroupRank(keys[j]) })
	if _, ok := p[DefaultGroup]; ok {
		keys = append(keys, DefaultGroup)
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatFloat(p[k], 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

// resolve gives every block of w its α, checking the profile names only blocks w has and covers every block.
func (p LayerAlphas) resolve(w clipmodel.Weights, allowExtrapolation bool) (map[string]float64, error) {
	groups := ModelGroups(w)
	for k, a := range p {
		if err := checkFinite("layer-wise α: "+k, a); err != nil {
			return nil, err
		}
		if !allowExtrapolation && (a < 0 || a > 1) {
			return nil, fmt.Errorf("layer-wise α: %s = %v is outside [0, 1]", k, a)
		}
		if k != DefaultGroup && !slices.Contains(groups, k) {
			return nil, fmt.Errorf("layer-wise α: the models have no block %q (they have: %s)", k, strings.Join(groups, ", "))
		}
	}
	out := make(map[string]float64, len(groups))
	var missing []string
	for _, g := range groups {
		a, ok := p[g]
		if !ok {
			a, ok = p[DefaultGroup]
		}
		if !ok {
			missing = append(missing, g)
		}
		out[g] = a
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("layer-wise α: no α for %s (name them or give * for the rest)", strings.Join(missing, ", "))
	}
	return out, nil
}

// InterpolateLayers is Interpolate with a separate α per block of tensors: each tensor of TensorGroup g becomes
// (1−α_g)·θ0 + α_g·θ1 with Interpolate's arithmetic, so a profile with every α equal gives Interpolate's weights
// bit for bit, and a block at α = 0 or 1 is a copy of θ0's or θ1's tensors. Every α must lie in [0, 1] and the
// profile must give an α to every block of the models (directly or through "*"); naming a block the models do
// not have is an error.
//
//	w, err := wiseft.InterpolateLayers(zs.Model.Weights, ft.Model.Weights,
//		wiseft.LayerAlphas{"head": 1, "visual projection": 0.8, "*": 0.3})
func InterpolateLayers(theta0, theta1 clipmodel.Weights, profile LayerAlphas) (clipmodel.Weights, error) {
	names, err := checkSameLayout(pairLabels(), []clipmodel.Weights{theta0, theta1})
	if err != nil {
		return nil, fmt.Errorf("layer-wise interpolate: %w", err)
	}
	alphas, err := profile.resolve(theta0, false)
	if err != nil {
		return nil, err
	}
	w, err := combine(theta0, names, func(name string, out []float32) {
		alpha := alphas[TensorGroup(name)]
		a, b := theta0[name].Data, theta1[name].Data
		switch alpha {
		case 0:
			copy(out, a)
			return
		case 1:
			copy(out, b)
			return
		}
		for i := range out {
			out[i] = float32((1-alpha)*float64(a[i]) + alpha*float64(b[i]))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("layer-wise interpolate: %w", err)
	}
	return w, nil
}
