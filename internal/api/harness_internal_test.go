package api

import (
	"bytes"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"github.com/mockcommand/mockcommand/internal/journal"
)

// TestBodyRecorder_PassesEverythingOnAndHoldsTheTail writes responses of
// many sizes in many pieces: the client gets every byte in order, at most
// holdBack bytes wait until release, and the journal keeps the prefix.
func TestBodyRecorder_PassesEverythingOnAndHoldsTheTail(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, holdBack - 1, holdBack, holdBack + 1, 3 * holdBack, 100_000} {
		for trial := range 20 {
			body := make([]byte, size)
			for i := range body {
				body[i] = byte(r.Uint32())
			}
			w := httptest.NewRecorder()
			rec := &bodyRecorder{ResponseWriter: w}
			for rest := body; len(rest) > 0; {
				n := min(len(rest), 1+r.IntN(2*holdBack))
				if trial%2 == 0 {
					n = len(rest) // one write, as encode does
				}
				if got, err := rec.Write(rest[:n]); err != nil || got != n {
					t.Fatalf("size %d: Write(%d bytes) = %d, %v", size, n, got, err)
				}
				rest = rest[n:]
			}
			if sent := w.Body.Len(); sent < size-holdBack {
				t.Errorf("size %d: only %d bytes passed on before release, want all but the last %d", size, sent, holdBack)
			}
			rec.release()
			if !bytes.Equal(w.Body.Bytes(), body) {
				t.Fatalf("size %d trial %d: the client got %d bytes that differ from the %d written", size, trial, w.Body.Len(), size)
			}
			if want := body[:min(size, journal.MaxResponseBody)]; rec.buf.String() != string(want) || rec.truncated != (size > journal.MaxResponseBody) {
				t.Errorf("size %d: journal kept %d bytes (truncated %v)", size, rec.buf.Len(), rec.truncated)
			}
		}
	}
}
