package api

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestCachedList_SpillAndAbort drives cachedList over a real HTTP
// connection with answers around the buffering limit: up to it an answer
// goes whole with its length; beyond it the answer streams; a listing that
// fails before anything was sent gets an error answer, and one that fails
// after streaming began breaks the connection, so that the client cannot
// take a cut answer for a whole one.
func TestCachedList_SpillAndAbort(t *testing.T) {
	s := &Server{logger: slog.New(slog.DiscardHandler)}
	failure := errors.New("disk gone")
	var size int
	var failAfter bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.cachedList(w, r, listRequest{route: "probe", version: func() uint64 { return 1 }, write: func(w io.Writer) error {
			body := bytes.Repeat([]byte("x"), size)
			for len(body) > 0 { // in pieces, as a page is written
				n := min(len(body), 4000)
				if _, err := w.Write(body[:n]); err != nil {
					return err
				}
				body = body[n:]
			}
			if failAfter {
				return failure
			}
			return nil
		}})
	}))
	defer srv.Close()
	get := func() (*http.Response, []byte, error) {
		resp, err := http.Get(srv.URL)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	for _, n := range []int{0, spillLimit - 1, spillLimit, spillLimit + 1, 3 * spillLimit} {
		size, failAfter = n, false
		resp, body, err := get()
		if err != nil || resp.StatusCode != http.StatusOK || len(body) != n {
			t.Fatalf("%d bytes: status %v, %d bytes read, %v", n, resp, len(body), err)
		}
		sentLength := resp.Header.Get("Content-Length")
		if n <= spillLimit && sentLength != strconv.Itoa(n) {
			t.Errorf("%d bytes (buffered): Content-Length %q", n, sentLength)
		}
		if n > spillLimit && sentLength != "" {
			t.Errorf("%d bytes (streamed): Content-Length %q, want none", n, sentLength)
		}
	}
	size, failAfter = 100, true
	resp, body, err := get()
	if err != nil || resp.StatusCode != http.StatusInternalServerError || !bytes.Contains(body, []byte(`"ErrorCode"`)) {
		t.Errorf("failure before sending: %v, %s, %v; want a 500 in Command's error shape", resp, body, err)
	}
	size = 2 * spillLimit
	if _, body, err = get(); err == nil {
		t.Errorf("failure while streaming: the client read %d bytes and no error; want a broken connection", len(body))
	}
}
