package realdata

import (
	"strconv"

	"github.com/gowiseft/wiseft/datasets"
)

// constructors are the datasets this package registers, by the names the paper's code gives them
// (src/datasets/__init__.py), the few-shot ImageNet{k} aside.
var constructors = []struct {
	name string
	open func(datasets.Options) (datasets.Dataset, error)
}{
	{"ImageNet", ImageNet}, {"ImageNetV2", ImageNetV2}, {"ImageNetR", ImageNetR}, {"ImageNetA", ImageNetA},
	{"ImageNetSketch", ImageNetSketch}, {"ObjectNet", ObjectNet},
	{"ImageNetRValClasses", ImageNetRValClasses}, {"ImageNetAValClasses", ImageNetAValClasses},
	{"ObjectNetValClasses", ObjectNetValClasses},
	{"ImageNetVidRobust", ImageNetVidRobust}, {"ImageNetVidRobustValClasses", ImageNetVidRobustValClasses},
	{"YTBBRobust", YTBBRobust}, {"YTBBRobustValClasses", YTBBRobustValClasses},
	{"IWildCamID", IWildCamID}, {"IWildCamOOD", IWildCamOOD},
	{"IWildCamIDNonEmpty", IWildCamIDNonEmpty}, {"IWildCamOODNonEmpty", IWildCamOODNonEmpty},
	{"FMOWID", FMOWID}, {"FMOWOOD", FMOWOOD},
	{"CIFAR10", CIFAR10}, {"CIFAR100", CIFAR100}, {"CIFAR101", CIFAR101}, {"CIFAR102", CIFAR102},
}

// Names are the dataset names this package registers with the datasets registry.
var Names = func() []string {
	var names []string
	for _, c := range constructors {
		names = append(names, c.name)
	}
	for _, k := range FewShotK {
		names = append(names, "ImageNet"+strconv.Itoa(k))
	}
	return names
}()

func init() {
	for _, c := range constructors {
		datasets.Register(c.name, c.open)
	}
	for _, k := range FewShotK {
		datasets.Register("ImageNet"+strconv.Itoa(k), func(o datasets.Options) (datasets.Dataset, error) {
			return ImageNetK(o, k)
		})
	}
}
