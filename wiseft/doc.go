// Package wiseft implements robust fine-tuning of zero-shot models by weight-space ensembling (WiSE-FT, Wortsman,
// Ilharco et al., CVPR 2022) on the CLIP models of package clipmodel.
//
// A zero-shot classifier is CLIP's image encoder followed by a linear head whose rows are the normalised, averaged
// text embeddings of each class's prompts, scaled by exp(logit_scale). Fine-tuning that classifier end to end
// raises in-distribution accuracy but loses robustness under distribution shift; WiSE-FT interpolates the two
// classifiers' weights,
//
//	θ(α) = (1−α)·θ_zero-shot + α·θ_fine-tuned
//
// over every tensor, head included, and mid α keeps most of the in-distribution gain while beating both
// endpoints out of distribution.
//
//	zs, _ := wiseft.ZeroShotClassifier(model, classNames, templates.OpenAIImageNet)
//	ft := ... // fine-tuned copy of zs
//	mid, _ := wiseft.Interpolate(zs.Model.Weights, ft.Model.Weights, 0.5)
package wiseft
