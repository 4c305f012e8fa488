package clipmodel

import "github.com/gowiseft/wiseft/internal/sysmem"

// Memory estimates: lower bounds of what a batch needs, counted from the config's sizes, so that a batch size a
// user gave (an evaluation batch of 10⁹ images, a training batch the machine cannot hold) is refused with one line
// before anything of that size is allocated. They count the tensors that must exist at the same time (inputs,
// one layer's activations and attention scores, and for training every layer's saved activations, the gradients
// and Adam's two moments); the backend's own temporaries come on top, so a batch that passes may still be too
// big, but one that fails surely is. Sizes are in bytes (float32); -1 means too large to count in an int64.
//
// The backends hold more than those tensors at once; measured on SimpleGo (wiseft bench, peak resident memory):
// ViT-B/32's forward pass takes 14.4 MB more an image (802 MiB at batch 1, 903 at 8) where 2.07 MB are counted
// (7×); the small model's training step 0.62 MB more an example (194 MiB at batch 256, 672 at 1024) where
// 0.22 MB are counted (2.8×), and ViT-B/32's image tower's step 45.9 MiB more an image (a fit of 1,754-2,447 MiB
// at batches 2, 4, 8 and 16, wiseft bench train:B:ViT-B-32) where 27.9 MiB are counted (1.64×). The counts are
// multiplied by the smallest of those ratios rounded down (forwardOverhead, trainOverhead2x), so the estimates
// stay below what is really used; with the small model's 2.5× the estimate of a ViT-B/32 step passed the
// measured use from batch 20 on (10.0 GiB against about 7.4 at batch 128).
const (
	forwardOverhead = 6
	trainOverhead2x = 3 // 1.5×, in halves
)

// ImageForwardBytes is a lower bound of the memory of one forward pass of the image tower over batch images.
func (c Config) ImageForwardBytes(batch int) int64 {
	v := c.Vision
	tokens := int64(v.NumPatches() + 1)
	b := int64(batch)
	pixels := sysmem.Product(b, int64(v.Channels), int64(v.ImageSize), int64(v.ImageSize))
	// One layer at a time: the residual stream, q, k, v, the MLP's hidden layer and the attention scores (before
	// and after the softmax).
	layer := sysmem.Sum(sysmem.Product(b, tokens, 4*int64(v.Width)+int64(v.MLPWidth)),
		sysmem.Product(2, b, int64(v.Heads), tokens, tokens))
	return sysmem.Product(4*forwardOverhead, sysmem.Sum(pixels, layer))
}

// TowerTrainBytes is a lower bound of the memory of one training step of both towers (contrastive pretraining)
// or, with text false, of the image tower alone (fine-tuning a classifier) over batch examples: the saved
// activations of every layer, plus the weights with their gradients and Adam moments (4 copies).
func (c Config) TowerTrainBytes(batch int, text bool) int64 {
	b := int64(batch)
	saved := func(t TowerConfig, tokens int64) int64 {
		perLayer := sysmem.Sum(sysmem.Product(b, tokens, 6*int64(t.Width)+2*int64(t.MLPWidth)),
			sysmem.Product(2, b, int64(t.Heads), tokens, tokens))
		return sysmem.Product(int64(max(t.Layers, 1)), perLayer)
	}
	v := c.Vision
	acts := sysmem.Sum(saved(v.TowerConfig, int64(v.NumPatches()+1)),
		sysmem.Product(b, int64(v.Channels), int64(v.ImageSize), int64(v.ImageSize)))
	params := sysmem.Sum(towerParams(v.TowerConfig), sysmem.Product(int64(v.NumPatches()+1), int64(v.Width)))
	if text {
		acts = sysmem.Sum(acts, saved(c.Text.TowerConfig, int64(c.Text.ContextLength)))
		params = sysmem.Sum(params, towerParams(c.Text.TowerConfig),
			sysmem.Product(int64(c.Text.VocabSize), int64(c.Text.Width)))
	}
	if acts >= 0 {
		acts = sysmem.Product(acts, trainOverhead2x) / 2
	}
	return sysmem.Product(4, sysmem.Sum(acts, sysmem.Product(4, params)))
}

// towerParams counts the parameters of a tower's transformer blocks (attention and MLP weights).
func towerParams(t TowerConfig) int64 {
	w, m := int64(t.Width), int64(t.MLPWidth)
	return sysmem.Product(int64(t.Layers), sysmem.Sum(sysmem.Product(4, w, w), sysmem.Product(2, w, m)))
}

// CheckImageBatch refuses, with one line naming what, an image batch whose forward pass (training false) or
// training step (training true) needs more memory than the machine has available.
func (c Config) CheckImageBatch(what string, batch int, training bool) error {
	need := c.ImageForwardBytes(batch)
	if training {
		need = c.TowerTrainBytes(batch, false)
	}
	return sysmem.Check(what, need)
}
