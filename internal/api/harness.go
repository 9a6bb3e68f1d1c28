package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/model"
)

// bodyRecorder keeps the first journal.MaxResponseBody bytes of a
// response for the journal, and makes sure the journal has the entry
// before a client can have read the whole response: when the response
// declares its length, the entry is recorded (by last) just before the
// write that completes the body; otherwise the end of the response (the
// last chunk) only goes out after the handler returns, and recordJournal
// records the entry then. A test that checks the journal right after a
// call always finds it.
type bodyRecorder struct {
	http.ResponseWriter
	status    int
	buf       strings.Builder // String does not copy
	truncated bool
	declared  int64 // the Content-Length, -1 for none, -2 until the first write
	written   int64
	last      func() // records the entry; called once
}

func (r *bodyRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *bodyRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if room := journal.MaxResponseBody - r.buf.Len(); room > 0 {
		r.buf.Write(b[:min(len(b), room)])
		r.truncated = r.truncated || len(b) > room
	} else if len(b) > 0 {
		r.truncated = true
	}
	if r.declared == -2 {
		r.declared = -1
		if n, err := strconv.ParseInt(r.Header().Get("Content-Length"), 10, 64); err == nil {
			r.declared = n
		}
	}
	r.written += int64(len(b))
	if r.declared >= 0 && r.written >= r.declared && r.last != nil {
		r.last()
		r.last = nil
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *bodyRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// recordJournal adds every Keyfactor request to the journal with its answer,
// after the handler returns (also when a fault drops the connection, which
// is recorded with status 0).
func (s *Server) recordJournal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		entry := journal.Entry{
			Time:    model.NewTime(s.mock.Now()),
			Method:  r.Method,
			Path:    r.URL.Path,
			Query:   r.URL.RawQuery,
			Headers: journal.RedactHeaders(r.Header),
		}
		// Keep the start of the body for the journal and hand the handler
		// the same bytes followed by the rest of the stream.
		if r.Body != nil && r.Body != http.NoBody {
			prefix, err := io.ReadAll(io.LimitReader(r.Body, journal.MaxBody+1))
			if err == nil || len(prefix) > 0 {
				entry.Truncated = len(prefix) > journal.MaxBody
				entry.Body = string(prefix[:min(len(prefix), journal.MaxBody)])
				r.Body = struct {
					io.Reader
					io.Closer
				}{io.MultiReader(bytes.NewReader(prefix), r.Body), r.Body}
			}
		}
		rec := &bodyRecorder{ResponseWriter: w, declared: -2}
		recorded := false
		record := func() {
			recorded = true
			entry.Status = rec.status
			entry.Warnings, entry.Fault, _ = noteOf(r).snapshot()
			entry.ResponseBody = rec.buf.String()
			entry.Truncated = entry.Truncated || rec.truncated
			entry.DurationMs = float64(time.Since(start).Microseconds()) / 1000
			s.journal.Add(entry)
		}
		rec.last = record
		defer func() {
			if v := recover(); v != nil {
				if v != http.ErrAbortHandler && rec.status == 0 {
					rec.status = http.StatusInternalServerError // what logRequests will answer
				}
				defer panic(v) // on to logRequests, after the entry is recorded
			}
			if !recorded {
				record()
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// applyFaults lets the first active fault rule that matches the request
// delay it, answer it with an error, or drop the connection.
func (s *Server) applyFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := s.faults.Decide(r)
		if d == nil {
			next.ServeHTTP(w, r)
			return
		}
		n := noteOf(r)
		n.mu.Lock()
		n.fault = d.Rule
		n.mu.Unlock()
		if d.Delay > 0 {
			t := time.NewTimer(d.Delay)
			select {
			case <-t.C:
			case <-s.stopDelays: // shutting down: answer now
				t.Stop()
			case <-r.Context().Done():
				t.Stop()
				return // the client gave up waiting
			}
		}
		if d.Drop {
			// Aborts the response: HTTP/1 closes the connection, HTTP/2 resets the stream.
			panic(http.ErrAbortHandler)
		}
		if d.Status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		for k, v := range d.Headers {
			w.Header().Set(k, v)
		}
		code, msg := d.ErrorCode, d.Message
		if code == "" {
			code = faultCode(d.Status)
		}
		if msg == "" {
			msg = fmt.Sprintf("%s (fault injected by mockcommand rule %d).", http.StatusText(d.Status), d.Rule)
		}
		w.Header().Set("x-mockcommand-fault", strconv.FormatInt(d.Rule, 10))
		encode(w, d.Status, ErrorBody{ErrorCode: code, Message: msg})
	})
}

// faultCode picks the Command code a fault with this status carries by default.
func faultCode(status int) string {
	switch {
	case status == http.StatusNotFound:
		return codeNotFound
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return codePermission
	case status >= 500:
		return codeInternal
	}
	return codeValidation
}
