package wiseft

import (
	"context"
	"fmt"

	"github.com/gowiseft/wiseft/datasets"
)

// LPFTConfig is the recipe of LP-FT: the linear probe's settings, then the end-to-end fine-tuning's.
type LPFTConfig struct {
	// Probe trains the head alone on frozen image features (FreezeEncoder is set by LPFT).
	Probe FineTuneConfig `json:"probe"`
	// FineTune then trains end to end from the probe's head (FreezeEncoder must be unset).
	FineTune FineTuneConfig `json:"finetune"`
}

// LPFT runs LP-FT (Kumar et al., "Fine-Tuning can Distort Pretrained Features and Underperform
// Out-of-Distribution", ICLR 2022): first a linear probe, the head trained alone on frozen features (FineTune
// with cfg.Probe and FreezeEncoder, the paper's linear classifier, from zs's head), then fine-tuning end to end
// (FineTune with cfg.FineTune) starting from the probe's head instead of the zero-shot one. It returns both
// classifiers: the probe is the linear classifier bit for bit.
//
// The probe runs with run's feature cache, workers and devices but without checkpoints (it is cheap and
// deterministic: a resumed LP-FT runs it again and gets the same head); run's checkpoints, ResumeFrom, progress
// and AfterEpoch apply to the fine-tuning stage.
//
//	probe, ft, err := wiseft.LPFT(ctx, zs, train, wiseft.LPFTConfig{Probe: lp, FineTune: ftCfg}, wiseft.TrainRun{})
func LPFT(ctx context.Context, zs *Classifier, train datasets.Dataset, cfg LPFTConfig, run TrainRun) (probe, ft *Classifier, err error) {
	if cfg.FineTune.FreezeEncoder {
		return nil, nil, fmt.Errorf("lp-ft: the second stage trains end to end; FreezeEncoder must be unset")
	}
	if cfg.Probe.FLYP || cfg.FineTune.FLYP {
		return nil, nil, fmt.Errorf("lp-ft: both stages use the cross-entropy loss, not FLYP's")
	}
	cfg.Probe.FreezeEncoder = true
	probeRun := TrainRun{CacheDir: run.CacheDir, Workers: run.Workers, Devices: run.Devices}
	if probe, err = FineTune(ctx, zs, train, cfg.Probe, probeRun); err != nil {
		return nil, nil, fmt.Errorf("lp-ft: linear probe: %w", err)
	}
	probeCfg := cfg.Probe
	run.method, run.probe = MethodLPFT, &probeCfg
	if ft, err = FineTune(ctx, probe, train, cfg.FineTune, run); err != nil {
		return nil, nil, fmt.Errorf("lp-ft: %w", err)
	}
	return probe, ft, nil
}
