// Package clipmodel is CLIP (Radford et al., 2021) in GoMLX: both towers, loading and saving the Hugging Face
// folder layout (and OpenAI / open_clip names), the model's tokenizer and image preprocessing, compiled through
// the process backend (Backend: SimpleGo by default, XLA/PJRT when GOMLX_BACKEND names it).
//
//	m, err := clipmodel.Load("path/to/clip-vit-base-patch32")
//	enc, err := clipmodel.NewEncoder(m)
//	ids, err := m.Tokenize([]string{"a photo of a cat.", "a photo of a dog."})
//	texts, err := enc.EncodeTexts(ids, 2)
//
// The layers are written out rather than taken from GoMLX's layers package, for parity with the reference
// implementation (PyTorch's Linear layout [out, in], LayerNorm epsilon 1e-5, attention scaled by 1/sqrt(head
// width)); the golden tests compare every stage with Hugging Face transformers.
//
// # Gradients of matrix products
//
// GoMLX v0.26 builds the gradient of Dot and DotGeneral by broadcasting both operands to [M, K, N], which makes a
// training step many times slower and larger than it needs to be. InstallFastGradients replaces them, for the
// whole process (GoMLX keeps its gradients in one process-wide table), with gradients made of two matrix products.
// Importing this package changes nothing; the project's training entry points (wiseft.FineTune, wiseft's Fisher
// estimate, world.Pretrain, wiseft bench) call InstallFastGradients themselves, and a program that builds its own
// GoMLX training graphs calls it once at start-up if it wants them too. UseStockGradients puts GoMLX's back.
package clipmodel
