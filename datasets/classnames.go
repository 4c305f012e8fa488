package datasets

// DigitClassNames are the class names of the digit datasets, indexed by label 0-9.
var DigitClassNames = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// DigitNumerals are the digits written as numerals, indexed by label ("0" to "9"), for prompts that want them.
var DigitNumerals = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// FashionClassNames are Fashion-MNIST's official class names, indexed by label.
var FashionClassNames = []string{
	"T-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot",
}

// LetterClassNames are the class names of the rendered-letter dataset: "a" to "z".
var LetterClassNames = func() []string {
	out := make([]string, 26)
	for i := range out {
		out[i] = string(rune('a' + i))
	}
	return out
}()
