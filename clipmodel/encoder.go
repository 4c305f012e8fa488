package clipmodel

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Encoder is a Model compiled for a backend: it turns pixels and token ids into L2-normalised embeddings. Its
// weights are variables of the compiled programs, so SetWeights swaps them (an α sweep, a fine-tuned model)
// without recompiling.
type Encoder struct {
	Config Config
	// BatchSize bounds how many images or texts go through the model at once (memory); inputs are split into
	// chunks of this size and the last chunk is padded, so one compiled program serves every call.
	BatchSize int
	// DType is the compute dtype of the towers: float32 (the default; the zero value means float32) or bfloat16
	// for mixed precision (float32 weights and embeddings, bfloat16 matrix products; see SetComputeDType).
	// Changing it makes the next call compile the programs again.
	DType dtypes.DType
	// FullTextContext makes EncodeTexts run every text at ContextLength positions, as CLIP is usually run, instead
	// of at its batch's longest prompt rounded up with TextBucket: a sixth of the work for the ImageNet head, and
	// the same embeddings up to float32 rounding (bit for bit on SimpleGo in every case measured; see TextTower).
	// For comparisons, and for backends where a new input shape is expensive to compile and only a few batches
	// are encoded.
	FullTextContext bool

	backend   backends.Backend
	ctx       *context.Context
	execDType dtypes.DType // the compute dtype imageExec and textExec were built for
	imageExec *context.Exec
	textExec  *context.Exec
	scaleExec *context.Exec
}

// textExecCache bounds the text programs an Encoder keeps: one per input shape, that is per length (at most 7 with
// a 77-token context, see TextBucket) and per batch (BatchSize, or a power of two below it for smaller calls).
const textExecCache = 128

// NewEncoder compiles m on the process backend (see Backend).
func NewEncoder(m *Model) (*Encoder, error) {
	b, err := Backend()
	if err != nil {
		return nil, err
	}
	return NewEncoderOn(b, m)
}

// NewEncoderOn compiles m on a given backend.
func NewEncoderOn(b backends.Backend, m *Model) (*Encoder, error) {
	if err := m.Weights.Check(m.Config); err != nil {
		return nil, err
	}
	e := &Encoder{Config: m.Config, BatchSize: 32, backend: b, ctx: context.New()}
	SetForwardOnly(e.ctx, b)
	if err := SetWeightsOn(e.ctx, b, m.Weights); err != nil {
		return nil, err
	}
	var err error
	if err = e.buildTowers(); err != nil {
		return nil, err
	}
	e.scaleExec, err = context.NewExec(b, e.ctx.Reuse(), func(ctx *context.Context, g *graph.Graph) *graph.Node {
		return LogitScale(ctx, g)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// buildTowers (re)creates the image and text programs for the current DType; they compile at their first call.
func (e *Encoder) buildTowers() error {
	dtype := e.DType
	if dtype == dtypes.InvalidDType {
		dtype = dtypes.Float32
	}
	cfg := e.Config
	withDType := func(ctx *context.Context, g *graph.Graph) {
		if dtype != dtypes.Float32 {
			ctx.SetGraphParam(g, ComputeDTypeParam, dtype.String())
		}
	}
	imageExec, err := context.NewExec(e.backend, e.ctx.Reuse(), func(ctx *context.Context, pixels *graph.Node) *graph.Node {
		withDType(ctx, pixels.Graph())
		return Normalize(cfg.ImageFeatures(ctx, pixels, nil))
	})
	if err != nil {
		return err
	}
	textExec, err := context.NewExec(e.backend, e.ctx.Reuse(), func(ctx *context.Context, ids *graph.Node) *graph.Node {
		withDType(ctx, ids.Graph())
		return Normalize(cfg.TextFeatures(ctx, ids, nil))
	})
	if err != nil {
		return err
	}
	textExec.SetMaxCache(textExecCache)
	if e.imageExec != nil {
		e.imageExec.Finalize()
		e.textExec.Finalize()
	}
	e.imageExec, e.textExec, e.execDType = imageExec, textExec, e.DType
	return nil
}

// towers returns the image and text programs for the current DType.
func (e *Encoder) towers() (image, text *context.Exec, err error) {
	if e.DType != e.execDType {
		if err := e.buildTowers(); err != nil {
			return nil, nil, err
		}
	}
	return e.imageExec, e.textExec, nil
}

// SetWeights replaces the encoder's weights (same config and shapes) without recompiling.
func (e *Encoder) SetWeights(w Weights) error {
	if err := w.Check(e.Config); err != nil {
		return err
	}
	return SetWeightsOn(e.ctx, e.backend, w)
}

// Context is the GoMLX context holding the encoder's weights, for building further forward-only graphs on them:
// it is marked with SetForwardOnly, so a graph that takes gradients needs a context of its own (SetWeights on a
// new one).
func (e *Encoder) Context() *context.Context { return e.ctx }

// LogitScale returns exp(logit_scale).
func (e *Encoder) LogitScale() (float32, error) {
	out, err := e.scaleExec.Exec()
	if err != nil {
		return 0, err
	}
	return tensors.ToScalar[float32](out[0]), nil
}

// EncodeImages embeds n images given as normalised pixels, row-major [n, 3, size, size]; it returns row-major
// [n, ProjectionDim] L2-normalised embeddings.
func (e *Encoder) EncodeImages(pixels []float32, n int) ([]float32, error) {
	v := e.Config.Vision
	per := v.Channels * v.ImageSize * v.ImageSize
	if n <= 0 || len(pixels) != n*per {
		return nil, fmt.Errorf("EncodeImages: %d values for %d images of [%d %d %d]", len(pixels), n, v.Channels, v.ImageSize, v.ImageSize)
	}
	imageExec, _, err := e.towers()
	if err != nil {
		return nil, err
	}
	return e.run(imageExec, n, per, func(lo, hi, rows int) *tensors.Tensor {
		chunk := make([]float32, rows*per)
		copy(chunk, pixels[lo*per:hi*per])
		return tensors.FromFlatDataAndDimensions(chunk, rows, v.Channels, v.ImageSize, v.ImageSize)
	})
}

// EncodeTexts embeds n token-id rows, row-major [n, ContextLength] (see Model.Tokenize); it returns row-major
// [n, ProjectionDim] L2-normalised embeddings, in the order of the rows.
//
// The rows are taken in order of their length (TextLength) and each batch of BatchSize runs at its longest row
// rounded up with TextBucket, unless FullTextContext is set: the embeddings are those of the full context (see
// TextTower), computed on fewer positions. A row's embedding does not depend on the other rows of its batch.
func (e *Encoder) EncodeTexts(ids []int64, n int) ([]float32, error) {
	ctxLen := e.Config.Text.ContextLength
	if n <= 0 || len(ids) != n*ctxLen {
		return nil, fmt.Errorf("EncodeTexts: %d ids for %d texts of %d tokens", len(ids), n, ctxLen)
	}
	for i, id := range ids {
		if id < 0 || id >= int64(e.Config.Text.VocabSize) {
			return nil, fmt.Errorf("EncodeTexts: token id %d at text %d position %d is outside the vocabulary of %d",
				id, i/ctxLen, i%ctxLen, e.Config.Text.VocabSize)
		}
	}
	_, textExec, err := e.towers()
	if err != nil {
		return nil, err
	}
	lengths := make([]int, n)
	for i := range n {
		lengths[i] = TextLength(ids[i*ctxLen : (i+1)*ctxLen])
	}
	dim := e.Config.ProjectionDim
	out := make([]float32, n*dim)
	for _, b := range TextBatches(lengths, e.BatchSize, ctxLen, e.FullTextContext) {
		chunk := make([]int32, b.Batch*b.Length) // rows past len(b.Rows) stay padding
		for r, i := range b.Rows {
			for j, id := range ids[i*ctxLen : i*ctxLen+b.Length] {
				chunk[r*b.Length+j] = int32(id)
			}
		}
		res, err := textExec.Exec(tensors.FromFlatDataAndDimensions(chunk, b.Batch, b.Length))
		if err != nil {
			return nil, err
		}
		data, err := tensors.CopyFlatData[float32](res[0])
		if err != nil {
			return nil, err
		}
		for r, i := range b.Rows {
			copy(out[i*dim:(i+1)*dim], data[r*dim:(r+1)*dim])
		}
	}
	return out, nil
}

// run feeds n rows through exec in chunks of BatchSize, padding the last chunk.
func (e *Encoder) run(exec *context.Exec, n, _ int, chunk func(lo, hi, rows int) *tensors.Tensor) ([]float32, error) {
	batch := e.BatchSize
	if batch <= 0 || n < batch {
		batch = n
	}
	dim := e.Config.ProjectionDim
	out := make([]float32, 0, n*dim)
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		res, err := exec.Exec(chunk(lo, hi, batch))
		if err != nil {
			return nil, err
		}
		data, err := tensors.CopyFlatData[float32](res[0])
		if err != nil {
			return nil, err
		}
		out = append(out, data[:(hi-lo)*dim]...)
	}
	return out, nil
}

// LogitsPerImage computes exp(logit_scale) · imageEmbeds · textEmbedsᵀ on the host: row-major [images, texts].
func LogitsPerImage(imageEmbeds []float32, images int, textEmbeds []float32, texts int, scale float32) []float32 {
	dim := len(imageEmbeds) / images
	out := make([]float32, images*texts)
	for i := 0; i < images; i++ {
		for j := 0; j < texts; j++ {
			var s float32
			for k := 0; k < dim; k++ {
				s += imageEmbeds[i*dim+k] * textEmbeds[j*dim+k]
			}
			out[i*texts+j] = s * scale
		}
	}
	return out
}
