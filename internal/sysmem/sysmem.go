// Package sysmem tells how much memory the machine can still give, so that a batch, a file or a corpus whose size
// the user chose is refused with one line before it is allocated, rather than ending the process in the Go
// runtime's out-of-memory trace (or the kernel's OOM killer).
//
//	if err := sysmem.Check("an evaluation batch of 1000000 images", need); err != nil { return err }
package sysmem

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Available returns the memory the kernel estimates can be allocated without swapping (MemAvailable in
// /proc/meminfo), and false where that is not known (another system, an old kernel).
func Available() (int64, bool) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	return parseMemAvailable(data)
}

func parseMemAvailable(meminfo []byte) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("MemAvailable:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kb < 0 {
			return 0, false
		}
		return kb << 10, true
	}
	return 0, false
}

// Unbounded is what Check compares with where the available memory is unknown: a need above it (1 PiB) cannot
// be met by any machine, so even then an absurd size is refused.
const Unbounded = int64(1) << 50

// Check returns an error naming what needs need bytes when that is more than the memory available (or more than
// Unbounded where the available memory is not known); need < 0 stands for an amount too large to count.
func Check(what string, need int64) error {
	avail, ok := Available()
	if !ok {
		avail = Unbounded
	}
	if need >= 0 && need <= avail {
		return nil
	}
	needS := "more than 8 EiB"
	if need >= 0 {
		needS = "about " + Size(need)
	}
	if !ok {
		return fmt.Errorf("%s needs %s of memory, more than any machine has", what, needS)
	}
	return fmt.Errorf("%s needs %s of memory, more than the %s available (MemAvailable in /proc/meminfo)", what, needS, Size(avail))
}

// Size formats a byte count: "512 bytes", "3.2 GiB".
func Size(n int64) string {
	const k = 1024.0
	switch v := float64(n); {
	case v < k:
		return fmt.Sprintf("%d bytes", n)
	case v < k*k:
		return fmt.Sprintf("%.1f KiB", v/k)
	case v < k*k*k:
		return fmt.Sprintf("%.1f MiB", v/(k*k))
	case v < k*k*k*k:
		return fmt.Sprintf("%.1f GiB", v/(k*k*k))
	default:
		return fmt.Sprintf("%.1f TiB", v/(k*k*k*k))
	}
}

// Product multiplies non-negative factors, returning -1 when the product overflows int64 (or a factor is
// negative), for sizes computed from user-given counts.
func Product(factors ...int64) int64 {
	p := int64(1)
	for _, f := range factors {
		if f < 0 {
			return -1
		}
		if f != 0 && p > (1<<63-1)/f {
			return -1
		}
		p *= f
	}
	return p
}

// Sum adds non-negative terms, returning -1 on overflow or when a term is -1 (too large to count).
func Sum(terms ...int64) int64 {
	s := int64(0)
	for _, t := range terms {
		if t < 0 || s > (1<<63-1)-t {
			return -1
		}
		s += t
	}
	return s
}
