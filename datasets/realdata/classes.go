package realdata

// ImageNetWNIDs are the WordNet ids of the 1,000 ImageNet-1k classes in label order (sorted), e.g. "n01440764".
var ImageNetWNIDs = imagenetColumn(0)

// ImageNetClassNames are OpenAI's names of the 1,000 ImageNet-1k classes, indexed by label, as the paper's code
// uses them for zero-shot heads. Two names occur twice ("missile", "sunglasses"), as in OpenAI's list.
var ImageNetClassNames = imagenetColumn(1)

// ImageNetSynsetLabels are the WordNet lemmas of each ImageNet-1k class ("tench, Tinca tinca"), indexed by label:
// the names ObjectNet's mapping file refers to.
var ImageNetSynsetLabels = imagenetColumn(2)

// imagenetIndex maps a WordNet id to its ImageNet-1k label.
var imagenetIndex = func() map[string]int {
	m := make(map[string]int, len(imagenetClasses))
	for i, row := range imagenetClasses {
		m[row[0]] = i
	}
	return m
}()

// imagenetColumn returns column c of imagenetClasses.
func imagenetColumn(c int) []string {
	out := make([]string, len(imagenetClasses))
	for i, row := range imagenetClasses {
		out[i] = row[c]
	}
	return out
}

// ImageNetLabel returns the ImageNet-1k label of a WordNet id, and whether the id is one of the 1,000.
func ImageNetLabel(wnid string) (int, bool) {
	i, ok := imagenetIndex[wnid]
	return i, ok
}

// ImageNetRClasses are the ImageNet-1k labels of ImageNet-R's 200 classes, in ImageNet-R's label order
// (CLASS_SUBLIST of the paper's src/datasets/imagenet_r.py).
var ImageNetRClasses = []int{
	1, 2, 4, 6, 8, 9, 11, 13, 22, 23, 26, 29, 31, 39, 47, 63, 71, 76, 79, 84, 90, 94, 96, 97, 99, 100, 105, 107,
	113, 122, 125, 130, 132, 144, 145, 147, 148, 150, 151, 155, 160, 161, 162, 163, 171, 172, 178, 187, 195, 199,
	203, 207, 208, 219, 231, 232, 234, 235, 242, 245, 247, 250, 251, 254, 259, 260, 263, 265, 267, 269, 276, 277,
	281, 288, 289, 291, 292, 293, 296, 299, 301, 308, 309, 310, 311, 314, 315, 319, 323, 327, 330, 334, 335, 337,
	338, 340, 341, 344, 347, 353, 355, 361, 362, 365, 366, 367, 368, 372, 388, 390, 393, 397, 401, 407, 413, 414,
	425, 428, 430, 435, 437, 441, 447, 448, 457, 462, 463, 469, 470, 471, 472, 476, 483, 487, 515, 546, 555, 558,
	570, 579, 583, 587, 593, 594, 596, 609, 613, 617, 621, 629, 637, 657, 658, 701, 717, 724, 763, 768, 774, 776,
	779, 780, 787, 805, 812, 815, 820, 824, 833, 847, 852, 866, 875, 883, 889, 895, 907, 928, 931, 932, 933, 934,
	936, 937, 943, 945, 947, 948, 949, 951, 953, 954, 957, 963, 965, 967, 980, 981, 983, 988,
}

// ImageNetAClasses are the ImageNet-1k labels of ImageNet-A's 200 classes, in ImageNet-A's label order
// (CLASS_SUBLIST of the paper's src/datasets/imagenet_a.py).
var ImageNetAClasses = []int{
	6, 11, 13, 15, 17, 22, 23, 27, 30, 37, 39, 42, 47, 50, 57, 70, 71, 76, 79, 89, 90, 94, 96, 97, 99, 105, 107,
	108, 110, 113, 124, 125, 130, 132, 143, 144, 150, 151, 207, 234, 235, 254, 277, 283, 287, 291, 295, 298, 301,
	306, 307, 308, 309, 310, 311, 313, 314, 315, 317, 319, 323, 324, 326, 327, 330, 334, 335, 336, 347, 361, 363,
	372, 378, 386, 397, 400, 401, 402, 404, 407, 411, 416, 417, 420, 425, 428, 430, 437, 438, 445, 456, 457, 461,
	462, 470, 472, 483, 486, 488, 492, 496, 514, 516, 528, 530, 539, 542, 543, 549, 552, 557, 561, 562, 569, 572,
	573, 575, 579, 589, 606, 607, 609, 614, 626, 627, 640, 641, 642, 643, 658, 668, 677, 682, 684, 687, 701, 704,
	719, 736, 746, 749, 752, 758, 763, 765, 768, 773, 774, 776, 779, 780, 786, 792, 797, 802, 803, 804, 813, 815,
	820, 823, 831, 833, 835, 839, 845, 847, 850, 859, 862, 870, 879, 880, 888, 890, 897, 900, 907, 913, 924, 932,
	933, 934, 937, 943, 945, 947, 951, 954, 956, 957, 959, 971, 972, 980, 981, 984, 986, 987, 988,
}

// CIFAR10ClassNames are CIFAR-10's class names, indexed by label (also CIFAR-10.1's and CIFAR-10.2's).
var CIFAR10ClassNames = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// CIFAR100ClassNames are CIFAR-100's 100 fine class names, indexed by label, as torchvision's CIFAR100.classes
// gives them (the meta file's fine_label_names, with underscores: "aquarium_fish") and as the paper's code puts
// them into its prompts, so that zero-shot numbers are comparable with the paper's.
var CIFAR100ClassNames = []string{
	"apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
	"bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
	"chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
	"dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
	"lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
	"mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
	"plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
	"rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
	"squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
	"train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
}
