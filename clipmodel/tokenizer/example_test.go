package tokenizer_test

import (
	"fmt"
	"log"

	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
)

func Example() {
	tok, err := tokenizer.Load("testdata") // vocab.json + merges.txt
	if err != nil {
		log.Fatal(err)
	}
	ids := tok.Encode("A photo of a cat.")
	fmt.Println(ids)
	fmt.Println(tok.Decode(ids))

	batch, err := tok.Batch([]string{"a photo of a cat.", "a dog"}, 10, true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(batch[:10])
	fmt.Println(batch[10:])
	// Output:
	// [731 320 518 512 320 723 269 732]
	// a photo of a cat .
	// [731 320 518 512 320 723 269 732 0 0]
	// [731 320 720 732 0 0 0 0 0 0]
}

func ExampleTrain() {
	corpus := []string{"a photo of a cat.", "a photo of a dog.", "a sketch of a cat."}
	tok, err := tokenizer.Train(corpus, 10)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.VocabSize(), tok.StartID(), tok.EndID())
	fmt.Println(len(tok.Encode("a photo of a cat.")))
	// Output:
	// 524 522 523
	// 8
}
