package realdata

import (
	"strconv"

	"github.com/gowiseft/wiseft/datasets"
)

// Names are the dataset names this package registers with the datasets registry.
var Names = func() []string {
	names := []string{"ImageNet", "ImageNetV2", "ImageNetR", "ImageNetA", "ImageNetSketch", "ObjectNet",
		"CIFAR10", "CIFAR100", "CIFAR101", "CIFAR102"}
	for _, k := range FewShotK {
		names = append(names, "ImageNet"+strconv.Itoa(k))
	}
	return names
}()

func init() {
	datasets.Register("ImageNet", ImageNet)
	datasets.Register("ImageNetV2", ImageNetV2)
	datasets.Register("ImageNetR", ImageNetR)
	datasets.Register("ImageNetA", ImageNetA)
	datasets.Register("ImageNetSketch", ImageNetSketch)
	datasets.Register("ObjectNet", ObjectNet)
	datasets.Register("CIFAR10", CIFAR10)
	datasets.Register("CIFAR100", CIFAR100)
	datasets.Register("CIFAR101", CIFAR101)
	datasets.Register("CIFAR102", CIFAR102)
	for _, k := range FewShotK {
		datasets.Register("ImageNet"+strconv.Itoa(k), func(o datasets.Options) (datasets.Dataset, error) {
			return ImageNetK(o, k)
		})
	}
}
