package datasets

import "testing"

// BenchmarkExample measures one Example call of each registered set (its test split).
func BenchmarkExample(b *testing.B) {
	for _, name := range Names() {
		ds, err := Open(name, Options{Location: testDataDir(b)})
		if err != nil {
			b.Logf("%s: %v", name, err)
			continue
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, _, err := ds.Example(i % ds.Len()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
