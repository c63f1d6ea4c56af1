package voucherpage

import (
	"encoding/base64"
	"strconv"
	"strings"

	qr "github.com/piglig/go-qr"
)

// The QR image of a code: the canonical code (16 symbols of the QR alphanumeric set:
// a version-1 symbol, 21 modules a side) at error correction level M, with the
// standard quiet zone of 4 modules, drawn as an SVG of one path (a run of dark
// modules in a row is one rectangle) and written into the page as a data: URI, so the
// page loads nothing else. A till's scanner reads the code as a cashier would type it
// (ParseCode). The library encodes; its own PNG and SVG writers are not used, as they
// link image/png into a binary that must stay within its size budget.
const qrQuiet = 4

// QRImage is the data: URI of the SVG of code's QR symbol.
func QRImage(code string) (string, error) {
	sym, err := qr.EncodeText(code, qr.Medium)
	if err != nil {
		return "", err
	}
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(qrSVG(sym))), nil
}

// qrSVG draws sym: a white square with the quiet zone, and its dark modules, row by
// row, each run of them a rectangle one module high.
func qrSVG(sym *qr.QrCode) string {
	n := sym.Size()
	side := strconv.Itoa(n + 2*qrQuiet)
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + side + " " + side +
		`" shape-rendering="crispEdges"><rect width="` + side + `" height="` + side + `" fill="#fff"/><path fill="#000" d="`)
	for y := range n {
		for x := 0; x < n; {
			if !sym.Module(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < n && sym.Module(x+run, y) {
				run++
			}
			b.WriteString("M" + strconv.Itoa(x+qrQuiet) + " " + strconv.Itoa(y+qrQuiet) + "h" + strconv.Itoa(run) + "v1h-" + strconv.Itoa(run) + "z")
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}
