package browser

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/proto"
)

// TestBrowser runs 01-quickstart in a real browser: the classic Jupyter Notebook on 127.0.0.1, driven in headless
// chromium through the DevTools protocol (go-rod with the system's chromium; nothing is downloaded). It runs all
// cells in quick mode and waits for the α explorer; then it jumps the slider to positions the sweep lacks (first an
// estimate, then the final frame), drags it with the mouse across the whole range and checks that the frame and the
// status end at the final position, waits until the explorer has filled every position in the background, and
// steps across the range with the arrow keys; the slider must not move or change size meanwhile. The latency of
// each phase (from the slider's input event to the frame of its α, in the page's clock) is written to
// <repository>/screenshots/browser-01-latency.txt and logged; it is a measurement, not an assertion. Then it
// presses Done, checks that no cell failed, and saves screenshots in <repository>/screenshots/. The kernel is this
// checkout's (a kernelspec written for the test, like the one scripts/setup-notebooks.sh registers). It fails
// early, saying why, when a cell fails or the explorer renders statically instead of showing its slider. It needs
// WISEFT_BROWSER_TEST=1; without it, or without chromium, jupyter-notebook or GoNB, it is skipped.
func TestBrowser(t *testing.T) {
	if os.Getenv("WISEFT_BROWSER_TEST") != "1" {
		t.Skip("set WISEFT_BROWSER_TEST=1 to run the browser test (needs scripts/setup-notebooks.sh)")
	}
	chromium := firstInPath("chromium", "chromium-browser", "google-chrome")
	notebookBin := firstInPath("jupyter-notebook")
	if chromium == "" || notebookBin == "" {
		t.Skip("chromium or jupyter-notebook is not installed (scripts/setup-notebooks.sh)")
	}
	root, err := filepath.Abs("../..") // the repository: this test runs in notebooks/browser
	if err != nil {
		t.Fatal(err)
	}
	shots := filepath.Join(root, "screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	// A copy of the notebook, so that Jupyter's autosave never touches the committed one.
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(root, "notebooks", "01-quickstart.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "01-quickstart.ipynb"), src, 0o644); err != nil {
		t.Fatal(err)
	}

	if !writeKernelSpec(t, filepath.Join(dir, "jupyter"), root) {
		t.Skip("GoNB is not installed (scripts/setup-notebooks.sh)")
	}

	base, token, stop := startNotebookServer(t, notebookBin, dir, root)
	defer stop()

	l := launcher.New().Bin(chromium).Headless(true).NoSandbox(true).Leakless(false).
		UserDataDir(filepath.Join(dir, "chromium")).
		Set("disable-gpu").Set("disable-background-networking").Set("disable-component-update").
		Set("disable-sync").Set("no-first-run")
	wsURL, err := l.Launch()
	if err != nil {
		t.Fatalf("launching %s: %v", chromium, err)
	}
	defer l.Cleanup()
	defer l.Kill()
	browser := rod.New().ControlURL(wsURL)
	if err := browser.Connect(); err != nil {
		t.Fatal(err)
	}
	defer browser.Close()

	page, err := browser.Page(proto.TargetCreateTarget{URL: base + "/notebooks/01-quickstart.ipynb?token=" + token})
	if err != nil {
		t.Fatal(err)
	}
	if err := page.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 1280, Height: 1500, DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	// The page's console errors and uncaught exceptions, reported with any failure: GoNB's widgets say there
	// why they cannot reach the kernel.
	console := &consoleLog{}
	go page.EachEvent(console.consoleAPI, console.exception)()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			_ = screenshot(page, filepath.Join(shots, "browser-01-failure.png"))
			t.Fatalf("%s: %v%s", what, err, console.report())
		}
	}
	must("waiting for the kernel", page.Timeout(2*time.Minute).Wait(rod.Eval(
		`() => !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())`)))
	start := time.Now()
	_, err = page.Eval(`() => Jupyter.notebook.execute_all_cells()`)
	must("running all cells", err)

	// The α explorer is the last cell: wait for its slider and first frame, and stop early when a cell failed or the
	// explorer fell back to its static rendering (it then says why).
	outcome, err := waitForExplorer(page, 5*time.Minute)
	must("waiting for the α explorer", err)
	t.Logf("all cells up to the α explorer ran in %.0fs", time.Since(start).Seconds())
	if strings.HasPrefix(outcome, "static:") {
		// The page did not answer the first widget in time. Running the cell again is what its note tells a user
		// to do; the test does it once, and says so, so that a slow first contact is told apart from widgets that
		// never work.
		t.Logf("the α explorer rendered statically (%s)%s; running its cell again", outcome[7:], console.report())
		_, err = page.Eval(`() => { const n = Jupyter.notebook.ncells() - 1; ` +
			`Jupyter.notebook.get_cell(n).clear_output(); Jupyter.notebook.execute_cells([n]); }`)
		must("running the explorer's cell again", err)
		outcome, err = waitForExplorer(page, 5*time.Minute)
		must("waiting for the α explorer (second run)", err)
	}
	switch {
	case strings.HasPrefix(outcome, "error:"):
		must("cell outputs", fmt.Errorf("a cell failed before the explorer showed its slider:\n%s", outcome[6:]))
	case strings.HasPrefix(outcome, "static:"):
		must("the α explorer", fmt.Errorf("it rendered statically instead of showing its slider: %s", outcome[7:]))
	}
	frame, err := page.Element(".wiseft-alpha-frame")
	must("frame", err)
	must("scrolling", frame.ScrollIntoView())
	alpha0, img0 := frameState(t, page)
	t.Logf("explorer at α = %s", alpha0)
	defer func() {
		if a, img := frameState(t, page); a == alpha0 || img == img0 {
			t.Errorf("the figure did not change: α %s → %s, image changed %v", alpha0, a, img != img0)
		}
	}()
	must("screenshot", screenshot(page, filepath.Join(shots, "browser-01-explorer-before.png")))

	slider, err := page.Element(".wiseft-alpha-controls input[type=range]")
	must("slider", err)
	_, err = page.Eval(recorderJS)
	must("installing the latency recorder", err)
	geom0 := sliderGeometry(t, page)
	lat := &latencies{}

	// 1. Jumps to positions the quick sweep (α = 0, 0.5, 1) lacks and the background fill, which starts next to
	// the thumb at 0.5, has not reached yet: a first answer (an estimate), then the final one.
	for _, v := range []int{1, 19, 3} {
		must("focus the slider", slider.Focus())
		a := setSlider(t, page, v)
		if v == 19 { // the estimate, while it shows
			if waitFrame(page, a, false, time.Minute) == nil {
				if el, err := page.Timeout(2 * time.Second).Element(`.wiseft-alpha-frame[data-estimate="1"]`); err == nil {
					if png, err := el.Screenshot(proto.PageCaptureScreenshotFormatPng, 0); err == nil {
						_ = os.WriteFile(filepath.Join(shots, "browser-01-estimate.png"), png, 0o644)
					}
				}
			}
		}
		must("waiting for the final frame", waitFrame(page, a, true, 2*time.Minute))
		if v == 1 {
			if el, err := page.Element(".wiseft-alpha-frame"); err == nil {
				_ = el.ScrollIntoView()
			}
			must("screenshot", screenshot(page, filepath.Join(shots, "browser-01-explorer-after.png")))
		}
	}
	lat.add(t, page, "jump", 0)

	// 2. A mouse drag across the whole range, from the fine-tuned end to the zero-shot end and back to 0.15: the
	// frame and the status end at the final position.
	must("drag", drag(page, slider, 20, 0))
	must("drag", drag(page, slider, 0, 3))
	final := positionAlpha(t, page, 3)
	must("waiting for the final frame after the drag", waitFrame(page, final, true, 2*time.Minute))
	alpha2, _ := frameState(t, page)
	st := statusState(t, page)
	t.Logf("after the drag: slider α = %s, frame α = %s, status %q (of α = %s)", final, alpha2, st.Text, st.Alpha)
	if alpha2 != final || st.Alpha != final {
		t.Errorf("after a drag to α = %s the frame shows α = %s and the status is of α = %s (%q)", final, alpha2, st.Alpha, st.Text)
	}
	lat.add(t, page, "drag", 0)
	if el, err := page.Element(".wiseft-alpha-frame"); err == nil {
		if png, err := el.Screenshot(proto.PageCaptureScreenshotFormatPng, 0); err == nil {
			_ = os.WriteFile(filepath.Join(shots, "browser-01-frame.png"), png, 0o644)
		}
	}

	// 3. Once the background has filled the grid, a step-by-step drag across the range redraws from memory.
	fillStart := time.Now()
	must("waiting for the grid to fill", page.Timeout(5*time.Minute).Wait(rod.Eval(`() => { `+
		`const s = document.querySelector('.wiseft-alpha-status span'); return !!s && s.dataset.filled === s.dataset.total }`)))
	lat.FillWait = time.Since(fillStart)
	must("focus the slider", slider.Focus())
	must("waiting for the frame of α = 0", waitFrame(page, setSlider(t, page, 0), true, time.Minute))
	mark := lat.mark(t, page)
	n := positions(t, page)
	for v := 1; v < n; v++ { // 0 → 1 and back, one position at a time, each waiting for its frame
		must("step", stepTo(page, slider, v))
	}
	for v := n - 2; v >= 0; v-- {
		must("step", stepTo(page, slider, v))
	}
	lat.add(t, page, "memory", mark)
	geom1 := sliderGeometry(t, page)
	if geom1 != geom0 {
		t.Errorf("the slider moved or changed size: %v at the start, %v at the end", geom0, geom1)
	}
	if stale := lat.StaleStatuses; stale > 0 {
		t.Logf("%d status updates named an α other than the slider's at that moment (the Go side hears of a move a "+
			"few milliseconds after the page)", stale)
	}
	// A 1024 px wide window: the two figures wrap to a line each rather than shrink their text.
	must("viewport", page.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 1024, Height: 1500, DeviceScaleFactor: 1}))
	time.Sleep(500 * time.Millisecond)
	if el, err := page.Element(".wiseft-alpha-frame"); err == nil {
		_ = el.ScrollIntoView()
		if png, err := el.Screenshot(proto.PageCaptureScreenshotFormatPng, 0); err == nil {
			_ = os.WriteFile(filepath.Join(shots, "browser-01-frame-1024.png"), png, 0o644)
		}
	}
	if res, err := page.Eval(`() => Array.from(document.querySelectorAll('.wiseft-alpha-frame img')).map(i => i.getBoundingClientRect().width)`); err == nil {
		t.Logf("figure widths at a 1024 px window: %v px", res.Value)
	}
	must("viewport", page.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 1280, Height: 1500, DeviceScaleFactor: 1}))
	report := lat.report()
	t.Logf("latency figures (written to %s):\n%s", filepath.Join(shots, "browser-01-latency.txt"), report)
	must("writing the latency figures", os.WriteFile(filepath.Join(shots, "browser-01-latency.txt"), []byte(report), 0o644))

	// Done ends the cell; the explorer says so and the kernel goes idle.
	done, err := page.ElementR(".wiseft-alpha-controls button", "Done")
	must("the Done button", err)
	must("click Done", done.Click(proto.InputMouseButtonLeft, 1))
	must("waiting for the explorer to close", page.Timeout(time.Minute).Wait(rod.Eval(
		`() => document.body.innerText.includes('α explorer closed') && Jupyter.notebook.kernel_busy === false`)))
	if errs := cellErrors(page); errs != "" {
		t.Errorf("cell errors:\n%s", errs)
	}
	must("screenshot", screenshot(page, filepath.Join(shots, "browser-01-closed.png")))
	_, _ = page.Eval(`() => { Jupyter.notebook.scroll_to_top(); }`)
	time.Sleep(300 * time.Millisecond)
	must("screenshot", screenshot(page, filepath.Join(shots, "browser-01-top.png")))
	t.Logf("screenshots in %s", shots)
}

// consoleLog keeps the last console errors and warnings and uncaught exceptions of a page.
type consoleLog struct {
	mu    sync.Mutex
	lines []string
}

func (c *consoleLog) add(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, tail(line, 500))
	if len(c.lines) > 20 {
		c.lines = c.lines[len(c.lines)-20:]
	}
}

func (c *consoleLog) consoleAPI(e *proto.RuntimeConsoleAPICalled) {
	if e.Type != proto.RuntimeConsoleAPICalledTypeError && e.Type != proto.RuntimeConsoleAPICalledTypeWarning {
		return
	}
	var parts []string
	for _, a := range e.Args {
		if a.Description != "" {
			parts = append(parts, a.Description)
		} else {
			parts = append(parts, a.Value.String())
		}
	}
	c.add(fmt.Sprintf("console.%s: %s", e.Type, strings.Join(parts, " ")))
}

func (c *consoleLog) exception(e *proto.RuntimeExceptionThrown) {
	d := e.ExceptionDetails
	msg := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		msg += " " + d.Exception.Description
	}
	c.add("exception: " + msg)
}

// report returns the kept lines as an indented block after a newline, or "" when there are none.
func (c *consoleLog) report() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.lines) == 0 {
		return ""
	}
	return "\npage console:\n  " + strings.Join(c.lines, "\n  ")
}

// waitForExplorer polls the page until the explorer shows its slider and first frame ("slider"), a cell shows an
// error ("error:" and the text), or the explorer renders statically ("static:" and its note), for at most d.
func waitForExplorer(page *rod.Page, d time.Duration) (string, error) {
	deadline := time.Now().Add(d)
	for {
		res, err := page.Eval(`() => {
			if (document.querySelector('.wiseft-alpha-controls input[type=range]') && document.querySelector('.wiseft-alpha-frame')) return 'slider';
			const errs = Array.from(document.querySelectorAll('.output_error, .output_stderr')).map(e => e.innerText).filter(s => /error|panic/i.test(s));
			if (errs.length) return 'error:' + errs.join('\n---\n');
			const st = document.querySelector('.wiseft-alpha-static');
			if (st) return 'static:' + st.innerText;
			return '';
		}`)
		if err != nil {
			return "", err
		}
		if v := res.Value.Str(); v != "" {
			return v, nil
		}
		if time.Now().After(deadline) {
			last, _ := page.Eval(`() => { const c = Jupyter.notebook.get_cells(); const o = c[c.length-1].output_area; ` +
				`return 'kernel busy: ' + Jupyter.notebook.kernel_busy + '; last cell output: ' + (o ? o.element[0].innerText.slice(0, 2000) : '') }`)
			state := ""
			if last != nil {
				state = last.Value.Str()
			}
			return "", fmt.Errorf("no slider, static rendering or error after %s (%s)", d, state)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// writeKernelSpec writes a GoNB kernelspec under dir/kernels/gonb whose notebooks use root's module through a
// go.work, as scripts/setup-notebooks.sh registers it, so that the test runs this checkout whatever checkout the
// user-wide kernel was registered from. It returns false when gonb is not installed.
func writeKernelSpec(t *testing.T, dir, root string) bool {
	t.Helper()
	gonb := firstInPath("gonb")
	if gonb == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			p := filepath.Join(strings.TrimSpace(string(out)), "bin", "gonb")
			if _, err := os.Stat(p); err == nil {
				gonb = p
			}
		}
	}
	if gonb == "" {
		return false
	}
	spec := map[string]any{
		"argv":           []string{gonb, "--kernel", "{connection_file}", "-logtostderr=true", "-go_work=" + root},
		"display_name":   "Go (gonb)",
		"language":       "go",
		"interrupt_mode": "message",
		"env":            map[string]string{},
	}
	data, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	kdir := filepath.Join(dir, "kernels", "gonb")
	if err := os.MkdirAll(kdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(kdir, "kernel.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return true
}

// frameState returns the α of the explorer's frame and the source of its first figure.
func frameState(t *testing.T, page *rod.Page) (alpha, img string) {
	t.Helper()
	res, err := page.Eval(`() => { const f = document.querySelector('.wiseft-alpha-frame'); ` +
		`const i = f.querySelector('img'); return [f.dataset.alpha, i ? i.src : ''] }`)
	if err != nil {
		t.Fatal(err)
	}
	arr := res.Value.Arr()
	return arr[0].Str(), arr[1].Str()
}

// cellErrors returns the text of error outputs and of stderr outputs that mention a panic.
func cellErrors(page *rod.Page) string {
	res, err := page.Eval(`() => Array.from(document.querySelectorAll('.output_error, .output_stderr'))` +
		`.map(e => e.innerText).filter(s => s.trim() !== '').join('\n---\n')`)
	if err != nil {
		return err.Error()
	}
	return res.Value.Str()
}

// screenshot saves the visible part of the page.
func screenshot(page *rod.Page, path string) error {
	png, err := page.Screenshot(false, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

// startNotebookServer starts the classic Jupyter Notebook on a free port of 127.0.0.1 serving dir, in quick mode
// with a fresh work folder, and returns its base URL, its token and a function that stops it.
func startNotebookServer(t *testing.T, bin, dir, root string) (base, token string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	token = fmt.Sprintf("wiseft%d", time.Now().UnixNano())
	cmd := exec.Command(bin, "--no-browser", "--allow-root", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port),
		"--NotebookApp.token="+token, "--notebook-dir="+dir)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WISEFT_NOTEBOOK_") { // the explorer must look for a browser, not render statically
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "JUPYTER_PATH="+filepath.Join(dir, "jupyter"), // this checkout's kernel first
		"WISEFT_FRONTEND_TIMEOUT=2m", // a busy CI machine may take a while to load GoNB's scripts in the page
		"WISEFT_ROOT="+root, "WISEFT_NOTEBOOK_QUICK=1",
		"WISEFT_NOTEBOOK_WORK="+filepath.Join(dir, "work"), "PYDEVD_DISABLE_FILE_VALIDATION=1")
	log, err := os.Create(filepath.Join(dir, "jupyter.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = func() {
		_ = syscall.Kill(cmd.Process.Pid, syscall.SIGTERM) // shuts the kernels down too
		waited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the group this test started
			<-waited
		}
		log.Close()
		if t.Failed() || os.Getenv("WISEFT_BROWSER_LOG") == "1" {
			if data, err := os.ReadFile(log.Name()); err == nil {
				t.Logf("jupyter log (tail):\n%s", tail(string(data), 2500))
			}
		}
	}
	base = fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/api/status?token=" + token)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("jupyter notebook did not answer on %s", base)
		}
		time.Sleep(300 * time.Millisecond)
	}
	return base, token, stop
}

func firstInPath(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
