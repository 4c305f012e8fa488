package clipmodel

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph building reads best unqualified
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Broadcasting by copy, for forward-only programs on SimpleGo.
//
// An elementwise operation between a tensor and a smaller one (a bias [1, out] against [rows, out], a LayerNorm
// mean [rows, 1] against [rows, width], a softmax's maximum) broadcasts implicitly. SimpleGo computes such an
// operation through a per-element index iterator on both sides, about 5.5 ns per element against 0.13 ns for the
// same operation on operands of equal shapes; in the shipped model's evaluation it was a sixth of the time. With
// SetCopyBroadcast, the layers first tile the smaller operand to the full shape by doubling Concatenates (each a
// few block copies) and then run the operation on equal shapes. Every element is computed by the same float
// operation on the same two values, so the outputs are the same bit for bit (TestCopyBroadcastSameOutputs).
//
// Only for programs without gradients: the gradient of a tiled operand is a tree of slices and sums, whose order
// differs from the single reduction of an implicit broadcast, so a training step would change in its last bits.
// On XLA, which fuses broadcasts, there is nothing to gain.

// ForwardOnlyParam marks the graphs built from a context as forward-only (nothing differentiates them): the
// vision tower's last layer then computes the class token's row only (see encoderLayerFirst). A bool; see
// SetForwardOnly.
const ForwardOnlyParam = "clipmodel_forward_only"

// SetForwardOnly marks the graphs built from ctx afterwards as forward-only programs on backend b (evaluation,
// feature extraction): the vision tower's last layer runs at the class token only, and on SimpleGo broadcasts run
// as copies. Their outputs are the full programs' (on SimpleGo bit for bit); a graph that takes gradients must not
// be built from ctx.
func SetForwardOnly(ctx *context.Context, b backends.Backend) {
	ctx.SetParam(ForwardOnlyParam, true)
	SetCopyBroadcast(ctx, b.String() == "go")
}

// CopyBroadcastParam is the context parameter that turns broadcasting by copy on (a bool). See SetCopyBroadcast.
const CopyBroadcastParam = "clipmodel_copy_broadcast"

// SetCopyBroadcast makes the graphs built from ctx afterwards broadcast by copying (see above). For evaluation
// programs on SimpleGo only.
func SetCopyBroadcast(ctx *context.Context, on bool) { ctx.SetParam(CopyBroadcastParam, on) }

// bcast returns v ready for an elementwise operation with a tensor of dims: v itself (broadcast implicitly by the
// operation) unless ctx broadcasts by copy, then v tiled to dims. v has the rank of dims, and each of its axes is
// either of the same size or of size 1.
func bcast(ctx *context.Context, v *Node, dims []int) *Node {
	if !context.GetParamOr(ctx, CopyBroadcastParam, false) {
		return v
	}
	return tileTo(v, dims)
}

// tileTo tiles v (axes of size 1 or of the target's size) to dims by Concatenates.
func tileTo(v *Node, dims []int) *Node {
	vd := v.Shape().Dimensions
	if len(vd) != len(dims) {
		panic(fmt.Errorf("clipmodel: broadcasting %v to %v: ranks differ", vd, dims))
	}
	// Leading axes of size 1 are merged into one, so that a bias [1, 1, width] against [batch, tokens, width]
	// is tiled in one pass along axis 0, whose copies are the largest blocks.
	lead, rows := 0, 1
	for lead < len(vd) && vd[lead] == 1 && dims[lead] != 1 {
		rows *= dims[lead]
		lead++
	}
	if lead > 1 {
		rest := vd[lead:]
		t := tileAxis(Reshape(v, append([]int{1}, rest...)...), 0, rows)
		return tileTo(Reshape(t, append(append([]int{}, dims[:lead]...), rest...)...), dims)
	}
	for axis := range vd {
		if vd[axis] == 1 && dims[axis] != 1 {
			v = tileAxis(v, axis, dims[axis])
		} else if vd[axis] != dims[axis] {
			panic(fmt.Errorf("clipmodel: cannot broadcast %v to %v", vd, dims))
		}
	}
	return v
}

// tileAxis repeats v (size 1 along axis) n times along axis: doublings, then the powers of two that sum to n.
func tileAxis(v *Node, axis, n int) *Node {
	var pieces []*Node
	p := v
	for n > 0 {
		if n&1 == 1 {
			pieces = append(pieces, p)
		}
		n >>= 1
		if n > 0 {
			p = Concatenate([]*Node{p, p}, axis)
		}
	}
	if len(pieces) == 1 {
		return pieces[0]
	}
	return Concatenate(pieces, axis)
}

// softmax is Softmax over the last axis (GoMLX's operations, in the same order), with its two broadcasts through
// bcast.
func softmax(ctx *context.Context, logits *Node) *Node {
	dims := logits.Shape().Dimensions
	normalizingMax := StopGradient(ReduceAndKeep(logits, ReduceMax, -1))
	numerator := Exp(Sub(logits, bcast(ctx, normalizingMax, dims)))
	denominator := ReduceAndKeep(numerator, ReduceSum, -1)
	return Div(numerator, bcast(ctx, denominator, dims))
}
