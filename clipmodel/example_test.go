package clipmodel_test

import (
	"fmt"

	"github.com/gowiseft/wiseft/clipmodel"
)

func ExampleLoad() {
	// A Hugging Face CLIP folder: config.json, model.safetensors, vocab.json and merges.txt. This one is the
	// shipped world's small CLIP.
	m, err := clipmodel.Load("../world/model")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, t := m.Config.Vision, m.Config.Text
	fmt.Printf("images %dx%d in %dx%d patches, %d layers; texts of %d tokens, %d layers; %d-dim embeddings\n",
		v.ImageSize, v.ImageSize, v.PatchSize, v.PatchSize, v.Layers, t.ContextLength, t.Layers, m.Config.ProjectionDim)
	ids, err := m.Tokenize([]string{"a photo of a cat."})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(ids), "ids (the context), beginning", ids[:3])
	// Output:
	// images 28x28 in 7x7 patches, 3 layers; texts of 16 tokens, 2 layers; 64-dim embeddings
	// 16 ids (the context), beginning [720 320 521]
}
