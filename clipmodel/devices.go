package clipmodel

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Devices is where a compiled program runs: one device, or data-parallel over several devices of an XLA backend
// (see DataParallel: the batch split by rows, the variables replicated, XLA's partitioner adding the
// all-reduce). Fine-tuning and evaluation run every program through it, so one code path serves one device and
// many; with one device Exec is exec.Exec.
//
//	devs, err := clipmodel.NewDevices(backend, 0) // every device of the backend
//	batch := devs.RoundBatch(250)                 // a multiple of the device count
//	devs.Configure(exec, 1)                       // the first input is split by rows
//	outs, err := devs.Exec(exec, 1, pixels, alpha)
type Devices struct {
	n  int
	dp *DataParallel
}

// NewDevices uses the first n devices of b (n ≤ 0: all of them). More than one needs the XLA backend; SimpleGo
// has one device.
func NewDevices(b backends.Backend, n int) (*Devices, error) {
	have := b.NumDevices()
	if n <= 0 {
		n = have
	}
	if n > have {
		return nil, fmt.Errorf("%d devices asked for, backend %s has %d", n, b.Name(), have)
	}
	if n == 1 {
		return &Devices{n: 1}, nil
	}
	dp, err := NewDataParallel(b, n)
	if err != nil {
		return nil, err
	}
	return &Devices{n: n, dp: dp}, nil
}

// Count is the number of devices a batch is split over.
func (d *Devices) Count() int { return d.n }

// RoundBatch rounds a batch size up to a multiple of the device count.
func (d *Devices) RoundBatch(batch int) int {
	return (batch + d.n - 1) / d.n * d.n
}

// Configure prepares exec (not yet run) for the devices: with several, its first split inputs are split by rows.
func (d *Devices) Configure(exec *context.Exec, split int) {
	if d.dp != nil {
		d.dp.Configure(exec, split)
	}
}

// Exec runs exec on the inputs: on one device directly, on several with the first split inputs split by rows and
// the others replicated.
func (d *Devices) Exec(exec *context.Exec, split int, inputs ...*tensors.Tensor) ([]*tensors.Tensor, error) {
	if d.dp == nil {
		args := make([]any, len(inputs))
		for i, t := range inputs {
			args[i] = t
		}
		return exec.Exec(args...)
	}
	return d.dp.ExecSplit(exec, split, inputs...)
}
