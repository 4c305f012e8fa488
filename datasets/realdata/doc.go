// Package realdata loads the real-image datasets of the WiSE-FT paper from a data folder (--data-location): ImageNet and
// its few-shot subsets, its distribution shifts (ImageNetV2, ImageNet-R, ImageNet-A, ImageNet-Sketch, ObjectNet,
// ImageNet-Vid-Robust, YTBB-Robust) and ImageNet's validation images of each shift's classes (the *ValClasses
// sets), WILDS' iWildCam and FMoW, and CIFAR-10, CIFAR-100, CIFAR-10.1 and CIFAR-10.2. Importing it for its side effects registers every dataset
// with the datasets registry under the paper code's names:
//
//	import _ "github.com/gowiseft/wiseft/datasets/realdata"
//
//	ds, err := datasets.Open("ImageNetR", datasets.Options{Location: "/data", Split: datasets.Test})
//
// Expected layout under the data folder (Location):
//
//	imagenet/train/<wnid>/*.JPEG, imagenet/val/<wnid>/*.JPEG (or imagenet/val_in_folder/<wnid>/...)
//	imagenetv2-matched-frequency-format-val/<0..999>/*.jpeg
//	imagenet-r/<wnid>/*, imagenet-a/<wnid>/*          (200-class subsets)
//	sketch/<wnid>/*
//	objectnet-1.0/images/<folder>/*.png, objectnet-1.0/mappings/{folder_to_objectnet_label,objectnet_to_imagenet_1k}.json
//	imagenet_vid_ytbb_robust/imagenet-vid-robust/{val/<video>/<frame>,metadata/{labels,pmsets}.json,misc/*.json}
//	imagenet_vid_ytbb_robust/ytbb-robust/ytbb_videos/<video>_<ms>/frame-<n>.jpg
//	imagenet_vid_ytbb_robust/ytbb-robust_metadata/*   (the paper code's src/datasets/ytbb-robust_metadata files)
//	iwildcam_v2.0/{metadata.csv,train/<filename>,iwildcam2020_megadetector_results.json}
//	fmow_v1.1/{rgb_metadata.csv,country_code_mapping.csv,images/rgb_img_<row>.png}
//	cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta}
//	cifar-100-python/{train,test,meta}
//	CIFAR-10.1/cifar10.1_v6_{data,labels}.npy
//	CIFAR-10.2/cifar102_{train,test}.npz
//
// Image-folder datasets list their files when opened and decode one file per Example call, so they are cheap to
// open and safe for concurrent Example calls; a corrupt file gives an error for its index only. Their examples are
// ordered class-interleaved (the first file of every class, then the second, ...) so that a Limit keeps every
// class. The CIFAR sets are read into memory when opened.
package realdata
