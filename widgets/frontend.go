package widgets

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// headlessRunners are the programs that execute notebooks with no front end; a kernel started by one of them
// (found among the cell program's ancestors) has no browser to run widgets.
var headlessRunners = []string{"nbconvert", "nbclient", "jupyter-execute", "papermill", "nbmake"}

// Headless reports whether the notebook runs without an interactive front end: WISEFT_NOTEBOOK_STATIC=1, or a
// headless runner (jupyter nbconvert --execute, nbclient, papermill) among the ancestors of this process (Linux
// /proc). When it cannot tell, it returns false and the widgets wait for a front end at most
// AlphaExplorer.FrontEndTimeout.
func Headless() bool {
	if envTrue(StaticEnv) {
		return true
	}
	pid := os.Getppid()
	for range 6 {
		if pid <= 1 {
			return false
		}
		cmd, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err != nil {
			return false
		}
		line := string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '}))
		for _, r := range headlessRunners {
			if strings.Contains(line, r) {
				return true
			}
		}
		if pid = parentOf(pid); pid < 0 {
			return false
		}
	}
	return false
}

// parentOf reads the parent process id of pid from /proc/<pid>/stat, or -1.
func parentOf(pid int) int {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name (field 2) is in parentheses and may hold spaces: fields after the last ')' are state, ppid.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 2 {
		return -1
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return -1
	}
	return ppid
}
