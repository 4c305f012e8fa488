package widgets

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/png"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/gowiseft/wiseft/wiseft/figures"
)

// HTML is a fragment of HTML made by this package's generators, ready to display in a notebook.
type HTML string

// Display shows the fragment as an output of the running cell and waits until GoNB has it (outputs sent just
// before a cell ends were otherwise lost now and then). Outside a notebook it does nothing.
func (h HTML) Display() {
	if !InNotebook() {
		return
	}
	gonbui.DisplayHTML(string(h))
	gonbui.Sync()
}

// String returns the HTML source.
func (h HTML) String() string { return string(h) }

// InNotebook reports whether the program runs as a GoNB cell.
func InNotebook() bool { return gonbui.IsNotebook }

// Sync waits until GoNB has received every output sent so far; end cells that display with it when they call
// gonbui directly.
func Sync() {
	if InNotebook() {
		gonbui.Sync()
	}
}

// DisplayHTML shows raw HTML (see HTML.Display).
func DisplayHTML(s string) { HTML(s).Display() }

// DisplayMarkdown shows Markdown text as a cell output.
func DisplayMarkdown(md string) {
	if !InNotebook() {
		return
	}
	gonbui.DisplayMarkdown(md)
	gonbui.Sync()
}

// updateHTML replaces the contents of the output block id (created by the first call).
func updateHTML(id string, h HTML) {
	if InNotebook() {
		gonbui.UpdateHTML(id, string(h))
	}
}

// uniqueID returns a new identifier for output blocks and DOM elements.
func uniqueID() string { return gonbui.UniqueId() }

// FigureHTML renders a figure of package figures as an SVG image embedded in HTML (an <img> with a data URL, so
// several figures on a page never share SVG element ids). width is a CSS width such as "48%" or "560px"; empty
// means the figure's own size.
func FigureHTML(f figures.Figure, width string) (HTML, error) {
	svg, err := f.SVG()
	if err != nil {
		return "", fmt.Errorf("widgets: figure %q: %w", f.Name, err)
	}
	return SVGImage(svg, f.Name, width), nil
}

// SVGImage embeds an SVG document as an <img> with a data URL; alt names it.
func SVGImage(svg []byte, alt, width string) HTML {
	style := ""
	if width != "" {
		// Never narrower than 460 px (unless the cell is): the figures wrap to a line each in a narrow window
		// instead of shrinking their text below about 10 px.
		style = fmt.Sprintf(` style="width:%s;min-width:min(%s,100%%);max-width:100%%;height:auto"`, html.EscapeString(width), minFigureWidth)
	}
	return HTML(fmt.Sprintf(`<img alt="%s"%s src="data:image/svg+xml;base64,%s"/>`, html.EscapeString(alt), style,
		base64.StdEncoding.EncodeToString(svg)))
}

// minFigureWidth is the least CSS width of a figure (see SVGImage).
const minFigureWidth = "460px"

// PNGDataURL encodes an image as a PNG data URL, for <img src=...>.
func PNGDataURL(img image.Image) (string, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// ShowFigures displays figures of package figures side by side (each at width, e.g. "48%"; see FigureHTML).
//
//	figs := widgets.Must(figures.Scatter(recs, "MNIST", shifts))
//	widgets.Must0(widgets.ShowFigures("48%", figs...))
func ShowFigures(width string, figs ...figures.Figure) error {
	h, err := FiguresHTML(width, figs...)
	if err != nil {
		return err
	}
	h.Display()
	return nil
}

// FiguresHTML lays out figures side by side, wrapping to the next line when the cell is too narrow.
func FiguresHTML(width string, figs ...figures.Figure) (HTML, error) {
	var b strings.Builder
	b.WriteString(`<div style="display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start">`)
	for _, f := range figs {
		h, err := FigureHTML(f, width)
		if err != nil {
			return "", err
		}
		b.WriteString(string(h))
	}
	b.WriteString(`</div>`)
	return HTML(b.String()), nil
}

// Text shows preformatted text (tables printed by the wiseft package, for instance) in a monospace block.
func Text(s string) HTML {
	return HTML(`<pre style="font-size:12px;line-height:1.3">` + html.EscapeString(s) + `</pre>`)
}
