// Package preprocess implements CLIP's image preprocessing in pure Go.
//
// It reproduces what OpenAI's clip package and Hugging Face's
// CLIPImageProcessor do to an image before the vision tower sees it:
//
//  1. decode (JPEG, PNG, GIF) and convert to 8-bit RGB, dropping alpha;
//     JPEGs are decoded by libjpeg-turbo in cgo builds, giving Pillow's
//     pixels exactly, and by Go's image/jpeg otherwise (a few levels off
//     where chroma is subsampled; see [Decode] and [TurboJPEG]);
//  2. resize so that the shortest side equals Size, with PIL's BICUBIC
//     filter (antialiased when shrinking) and torchvision's output-size
//     rounding;
//  3. center crop Size×Size with torchvision's rounding;
//  4. scale to [0, 1] and normalise each channel with CLIP's mean and std.
//
// The result is a CHW float32 slice; [Transform.Batch] and
// [Transform.EvalParallel] stack several images into NCHW pixel_values.
// The resampler follows PIL's fixed-point 8-bit implementation, so the
// resized pixels match PIL's exactly for the same decoded input.
//
// [Transform.DCTScaling] (off by default) lets [Transform.LoadEval] decode
// large JPEGs at 1/2, 1/4 or 1/8 size in the DCT domain, like Pillow after
// Image.draft: faster, slightly different pixels from the paper's full
// decode.
//
// Where the references disagree, this package follows torchvision (as
// OpenAI's clip does) for the crop offset, int(round((h-Size)/2)) with
// Python's half-to-even rounding (CLIPImageProcessor uses (h-Size)//2), and
// CLIPImageProcessor for the order of steps: converting to RGB before the
// resize (OpenAI's clip resizes first, which for RGBA and paletted inputs
// resamples premultiplied or nearest-neighbour pixels).
//
// For fine-tuning, [Transform.Train] implements torchvision's
// RandomResizedCrop(Size, scale=(0.9, 1), ratio=(3/4, 4/3), BICUBIC)
// driven by a math/rand/v2 generator.
//
// Example:
//
//	img, err := preprocess.LoadImage("cat.jpg")
//	if err != nil {
//		return err
//	}
//	t := preprocess.New(224)
//	pixels := t.Eval(img) // len(pixels) == 3*224*224, CHW
package preprocess
