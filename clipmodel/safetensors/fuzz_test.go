package safetensors

import "testing"

// FuzzParse feeds arbitrary bytes to the reader: it must return a file or an error, never panic, and whatever it
// accepts must survive an encode/parse round trip.
func FuzzParse(f *testing.F) {
	good, _ := Encode(map[string]*Tensor{"a": FromFloat32([]float32{1, 2}, 2), "b": FromInt64([]int64{3}, 1)}, map[string]string{"k": "v"})
	f.Add(good)
	f.Add(header(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, 2))
	f.Add([]byte{})
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
