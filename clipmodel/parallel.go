package clipmodel

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/distributed"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// DataParallel runs a program data-parallel over the local devices of a backend with GoMLX's own distributed
// execution (v0.26, AutoSharding through XLA Shardy): the inputs are split along their first (batch) axis, one
// slice per device; the variables (weights, optimizer state) are replicated; XLA partitions the single-device
// program and inserts the all-reduce of the gradients itself, so a training step is written exactly as for one
// device. Only the XLA backend supports it (SimpleGo has one device and no sharding).
//
//	dp, err := clipmodel.NewDataParallel(backend, 0) // every device of the backend
//	exec := context.MustNewExec(backend, ctx, trainStep)
//	dp.Configure(exec, 3)                            // pixels, labels, weights are split by rows
//	outs, err := dp.Exec(exec, pixels, labels, weights)
//
// The batch must be a multiple of the number of devices.
type DataParallel struct {
	// Devices is the number of devices the batch is split over.
	Devices    int
	mesh       *distributed.DeviceMesh
	batch      *distributed.ShardingSpec // split along axis 0
	replicated *distributed.ShardingSpec
}

// DataParallelAxis is the name of the device-mesh axis the batch is split along.
const DataParallelAxis = "data"

// NewDataParallel prepares data-parallel execution over the first devices of b (devices ≤ 0: all of them).
func NewDataParallel(b backends.Backend, devices int) (*DataParallel, error) {
	have := b.NumDevices()
	if devices <= 0 {
		devices = have
	}
	if devices > have {
		return nil, fmt.Errorf("data-parallel over %d devices: backend %s has %d", devices, b.Name(), have)
	}
	if b.String() != "xla" {
		return nil, fmt.Errorf("data-parallel execution needs the XLA backend (GoMLX's AutoSharding), not %s", b.Name())
	}
	mesh, err := distributed.NewDeviceMesh([]int{devices}, []string{DataParallelAxis})
	if err != nil {
		return nil, err
	}
	batch, err := distributed.NewShardingSpec(mesh, distributed.AxisSpec{DataParallelAxis})
	if err != nil {
		return nil, err
	}
	return &DataParallel{Devices: devices, mesh: mesh, batch: batch,
		replicated: distributed.NewReplicatedShardingSpec(mesh)}, nil
}

// Configure makes exec (not yet run) data-parallel: its first numInputs inputs are split by rows, the rest and
// every output are replicated, the context's variables are replicated.
func (dp *DataParallel) Configure(exec *context.Exec, numInputs int) *context.Exec {
	specs := make([]*distributed.ShardingSpec, numInputs)
	for i := range specs {
		specs[i] = dp.batch
	}
	devices := make([]backends.DeviceNum, dp.Devices)
	for i := range devices {
		devices[i] = backends.DeviceNum(i)
	}
	return exec.AutoSharding(dp.mesh).WithInputShardingSpecs(specs...).
		WithOutputShardingSpecs(dp.replicated).WithDeviceAssignment(devices)
}

// Shard splits t along its first axis, one slice per device (on the host; the program moves them).
func (dp *DataParallel) Shard(t *tensors.Tensor) (*distributed.Tensor, error) {
	if t.Rank() == 0 || t.Shape().Dimensions[0]%dp.Devices != 0 {
		return nil, fmt.Errorf("data-parallel: a batch of shape %s does not split over %d devices", t.Shape(), dp.Devices)
	}
	return distributed.ShardTensor(dp.batch, t)
}

// Exec splits the inputs by rows, runs exec (configured by Configure) on every device and returns the outputs
// (replicated: the copy of the first device).
func (dp *DataParallel) Exec(exec *context.Exec, inputs ...*tensors.Tensor) ([]*tensors.Tensor, error) {
	return dp.ExecSplit(exec, len(inputs), inputs...)
}

// ExecSplit is Exec with only the first split inputs split by rows and the others (scalars, coefficients)
// replicated on every device; exec must have been configured with Configure(exec, split).
func (dp *DataParallel) ExecSplit(exec *context.Exec, split int, inputs ...*tensors.Tensor) ([]*tensors.Tensor, error) {
	args := make([]any, len(inputs))
	for i, t := range inputs {
		var s *distributed.Tensor
		var err error
		if i < split {
			s, err = dp.Shard(t)
		} else {
			s, err = distributed.ShardTensor(dp.replicated, t)
		}
		if err != nil {
			return nil, err
		}
		args[i] = s
	}
	outs, err := exec.DistributedExec(args...)
	if err != nil {
		return nil, err
	}
	res := make([]*tensors.Tensor, len(outs))
	for i, o := range outs {
		if res[i], err = o.Shards()[0].LocalClone(); err != nil {
			return nil, err
		}
		if err := o.Finalize(); err != nil {
			return nil, err
		}
	}
	return res, nil
}
