// Package results reads and writes the WiSE-FT results log: a file of
// JSON objects, one per line, in the format of the paper's code
// (mlfoundations/wise-ft, --results-db).
//
// Each line records one evaluation of one model at one mixing
// coefficient α. It holds every command-line flag of the run ("model",
// "train_dataset", "epochs", "lr", "save", ...), "alpha" as a number,
// and for each evaluated dataset "<Dataset>:top1" (a fraction in
// [0, 1]) and possibly other metrics such as "<Dataset>:f1":
//
//	{"model": "ViT-B/32", "train_dataset": "ImageNet", "alpha": 0.5, "ImageNet:top1": 0.79, "ImageNetV2:top1": 0.69}
//
// Floats are written as Python writes them ("alpha": 0.0, not 0), so that
// pandas, which the paper's plotting reads the log with, keeps α = 0 and
// α = 1 as floats; the paper's per-epoch lines hold the α list of the
// sweep instead of one α, and [Record.Alpha] reports none for them.
//
// Writers append whole lines with [Append]; a crash mid-write can leave
// a torn last line, which the next [Append] isolates behind a newline
// and [Read] skips with a [Warning] instead of failing.
package results
