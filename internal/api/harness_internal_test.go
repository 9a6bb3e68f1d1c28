package api

import (
	"bytes"
	"math/rand/v2"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/mockcommand/mockcommand/internal/journal"
)

// TestBodyRecorder_PassesEverythingOnAndRecordsBeforeTheLastByte writes
// responses of many sizes in many pieces: the client gets every byte in
// order, the journal keeps the prefix, and with a declared length the
// entry is recorded by the write that completes the body, before its
// bytes are passed on.
func TestBodyRecorder_PassesEverythingOnAndRecordsBeforeTheLastByte(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 100, journal.MaxResponseBody, journal.MaxResponseBody + 1, 100_000} {
		for trial := range 20 {
			body := make([]byte, size)
			for i := range body {
				body[i] = byte(r.Uint32())
			}
			w := httptest.NewRecorder()
			declared := trial%2 == 0
			if declared {
				w.Header().Set("Content-Length", strconv.Itoa(size))
			}
			sentWhenRecorded := -1
			rec := &bodyRecorder{ResponseWriter: w, declared: -2}
			rec.last = func() { sentWhenRecorded = w.Body.Len() }
			for rest := body; len(rest) > 0; {
				n := min(len(rest), 1+r.IntN(40_000))
				if got, err := rec.Write(rest[:n]); err != nil || got != n {
					t.Fatalf("size %d: Write(%d bytes) = %d, %v", size, n, got, err)
				}
				rest = rest[n:]
			}
			if !bytes.Equal(w.Body.Bytes(), body) {
				t.Fatalf("size %d trial %d: the client got %d bytes that differ from the %d written", size, trial, w.Body.Len(), size)
			}
			switch {
			case declared && size > 0 && (sentWhenRecorded < 0 || sentWhenRecorded >= size):
				t.Errorf("size %d, length declared: recorded with %d bytes sent; want before the last write", size, sentWhenRecorded)
			case !declared && sentWhenRecorded >= 0:
				t.Errorf("size %d, no length: recorded during a write; want after the handler", size)
			}
			if want := body[:min(size, journal.MaxResponseBody)]; rec.buf.String() != string(want) || rec.truncated != (size > journal.MaxResponseBody) {
				t.Errorf("size %d: journal kept %d bytes (truncated %v)", size, rec.buf.Len(), rec.truncated)
			}
		}
	}
}
