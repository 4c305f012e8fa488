// Package tokenizer is CLIP's byte-level BPE tokenizer, compatible with the
// vocab.json and merges.txt files of a Hugging Face CLIP checkpoint (49,408
// tokens for OpenAI's models), and a trainer for small vocabularies in the same
// format.
//
// Encoding follows the Hugging Face CLIPTokenizer of transformers v5 (the
// tokenizers-library pipeline), which testdata/golden.json pins down id for id:
//
//   - exact occurrences of <|startoftext|> and <|endoftext|> become their ids;
//   - the rest is NFC-normalised and lower-cased;
//   - words are found with CLIP's regex: the contractions 's 't 're 've 'm 'll
//     'd, runs of letters, single numbers, runs of other non-space characters;
//     whitespace only separates words (CJK text is not split further);
//   - each word's UTF-8 bytes become symbols of the GPT-2 byte-to-unicode
//     alphabet, the last one with the "</w>" suffix, and merges apply by rank.
//
// Example:
//
//	tok, err := tokenizer.Load("path/to/clip-vit-base-patch32")
//	if err != nil {
//		log.Fatal(err)
//	}
//	ids := tok.Encode("a photo of a cat.") // StartID, ..., EndID
//	batch, err := tok.Batch([]string{"a dog", "a cat"}, 77, true)
//	// batch is a [2, 77] row-major []int64, zero-padded.
//
// Train builds a vocabulary with the same layout from a caption corpus;
// Save writes it in the same two-file format.
package tokenizer
