package datasets

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
)

// DefaultLocation is the data folder used when Options.Location is empty and the environment variable
// LocationEnv is not set: "data", relative to the working directory (the repository root for the tools).
const DefaultLocation = "data"

// LocationEnv names the environment variable that, when set, replaces DefaultLocation.
const LocationEnv = "WISEFT_DATA"

// Options are the arguments of Open.
type Options struct {
	// Location is the data folder (see scripts/setup-data.sh); empty means $WISEFT_DATA, else DefaultLocation.
	Location string
	// Split selects the training or the evaluation split; empty means Test.
	Split Split
	// Seed drives every random choice of seeded datasets (renditions, corruptions); datasets read from files
	// without randomness ignore it.
	Seed uint64
	// Limit keeps only the first Limit examples in the dataset's own deterministic order (file order for the
	// real sets, which mixes the classes; class-interleaved order for the rendered ones); 0 keeps all.
	Limit int
}

// withDefaults returns o with the empty fields filled in.
func (o Options) withDefaults() Options {
	if o.Location == "" {
		o.Location = defaultLocation()
	}
	if o.Split == "" {
		o.Split = Test
	}
	return o
}

// defaultLocation is $WISEFT_DATA when set, else DefaultLocation.
func defaultLocation() string {
	if d := os.Getenv(LocationEnv); d != "" {
		return d
	}
	return DefaultLocation
}

var (
	registryMu sync.RWMutex
	registry   = map[string]func(Options) (Dataset, error){}
)

// Register makes a dataset constructor available to Open under name. It panics if name is empty, open is nil
// or name is already registered, as these are programming errors.
func Register(name string, open func(Options) (Dataset, error)) {
	if name == "" || open == nil {
		panic("datasets: Register with an empty name or a nil constructor")
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("datasets: Register called twice for " + name)
	}
	registry[name] = open
}

// Names lists the registered dataset names, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open builds the dataset registered under name. Empty option fields take their defaults; a positive
// opts.Limit keeps only the first Limit examples. An unknown name gives an error listing the known ones.
func Open(name string, opts Options) (Dataset, error) {
	registryMu.RLock()
	open, ok := registry[name]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("datasets: unknown dataset %q; known datasets: %s", name, strings.Join(Names(), ", "))
	}
	opts = opts.withDefaults()
	if opts.Split != Train && opts.Split != Test {
		return nil, fmt.Errorf("datasets: %s: unknown split %q (want %q or %q)", name, opts.Split, Train, Test)
	}
	if opts.Limit < 0 {
		return nil, fmt.Errorf("datasets: %s: negative limit %d", name, opts.Limit)
	}
	ds, err := open(opts)
	if err != nil {
		return nil, err
	}
	if opts.Limit > 0 {
		ds = Limit(ds, opts.Limit)
	}
	return ds, nil
}
