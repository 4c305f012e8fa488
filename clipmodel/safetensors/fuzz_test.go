package safetensors

import (
	"encoding/binary"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the reader: it must return a file or an error, never panic, and whatever it
// accepts must survive an encode/parse round trip.
func FuzzParse(f *testing.F) {
	good, _ := Encode(map[string]*Tensor{"a": FromFloat32([]float32{1, 2}, 2), "b": FromInt64([]int64{3}, 1)}, map[string]string{"k": "v"})
	f.Add(good)
	f.Add(header(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, 2))
	f.Add([]byte{})
	// Every dtype, a scalar, an empty tensor and metadata.
	all, _ := Encode(map[string]*Tensor{
		"f64": {DType: F64, Shape: []int{1}, Data: make([]byte, 8)}, "bf16": {DType: BF16, Shape: []int{2}, Data: []byte{0x80, 0x3f, 0x40, 0xc0}},
		"i32": {DType: I32, Shape: []int{1, 1}, Data: make([]byte, 4)}, "i16": {DType: I16, Shape: []int{1}, Data: make([]byte, 2)},
		"i8": {DType: I8, Shape: []int{1}, Data: []byte{0xff}}, "u8": {DType: U8, Shape: []int{1}, Data: []byte{7}},
		"bool": {DType: Bool, Shape: []int{1}, Data: []byte{1}}, "scalar": FromFloat32([]float32{2}),
		"empty": FromFloat32(nil, 0, 4),
	}, map[string]string{"format": "pt"})
	f.Add(all)
	f.Add(good[:len(good)-3]) // cut in the data
	f.Add(good[:12])          // cut in the header
	// Headers that lie: huge length, sizes, offsets, shapes, overlaps.
	huge := make([]byte, 16)
	binary.LittleEndian.PutUint64(huge, 1<<62)
	f.Add(huge)
	f.Add(header(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8))
	f.Add(header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 4))
	f.Add(header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, 4))
	f.Add(header(`{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}`, 8))
	f.Add(header(`{"a":{"dtype":"F32","shape":[0,4611686018427387904,4611686018427387904],"data_offsets":[0,0]}}`, 0))
	f.Add(header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8))
	f.Add(header(`{"__metadata__":{"a":1}}`, 0))
	f.Add(header(`{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}`, 4))
	f.Add(header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8))
	f.Add(header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		for _, tensor := range file.Tensors {
			if _, err := tensor.Float32(); err != nil && tensor.DType != Bool {
				t.Fatalf("accepted tensor cannot be read: %v", err)
			}
		}
		again, err := Encode(file.Tensors, file.Metadata)
		if err != nil {
			t.Fatalf("accepted file cannot be re-encoded: %v", err)
		}
		if _, err := Parse(again); err != nil {
			t.Fatalf("re-encoded file does not parse: %v", err)
		}
	})
}
