package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/mockcommand/mockcommand/internal/model"
)

// contentTypeJSON is the Content-Type of every JSON response.
const contentTypeJSON = "application/json; charset=utf-8"

// encodeBuffers recycles the buffers responses are encoded into (a page of
// agents is some 40 KB).
var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// encode writes v as JSON with status. Encoding happens before any header
// is written, so a failure still produces a clean 500.
func encode(w http.ResponseWriter, status int, v any) {
	buf := encodeBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 { // let the odd huge listing go to the GC
			encodeBuffers.Put(buf)
		}
	}()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		writeJSON(w, http.StatusInternalServerError, internalErrorJSON)
		return
	}
	writeJSON(w, status, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))) // Encode ends with a newline
}

// marshal encodes v for keeping (the response cache); a failure gives the
// 500 body.
func marshal(v any) ([]byte, int) {
	b, err := json.Marshal(v)
	if err != nil {
		return internalErrorJSON, http.StatusInternalServerError
	}
	return b, http.StatusOK
}

// internalErrorJSON is the body of a 500 whose answer could not be encoded.
var internalErrorJSON, _ = json.Marshal(ErrorBody{ErrorCode: codeInternal, Message: "An unexpected error occurred."})

// writeJSON writes an encoded JSON body with status.
func writeJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// noContent answers 204.
func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// decode reads a JSON request body into a T, enforcing the JSON media
// types Command accepts and the body size limit.
func decode[T any](w http.ResponseWriter, r *http.Request, maxBytes int64) (T, error) {
	var v T
	if err := checkJSONContentType(r); err != nil {
		return v, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return v, newError(http.StatusRequestEntityTooLarge, codeBodyTooLarge,
				fmt.Sprintf("The request body is larger than the limit of %d bytes.", maxBytes))
		}
		return v, fmt.Errorf("read request body: %w", err)
	}
	if err := model.DecodeJSON(body, &v); err != nil {
		return v, err
	}
	return v, nil
}

// checkJSONContentType accepts what Command's API accepts for bodies
// (application/json, text/json, application/*+json, application/json-patch+json),
// and a missing Content-Type, which the mock reads as JSON.
func checkJSONContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || mt == "text/json" ||
		(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return nil
	}
	return newError(http.StatusUnsupportedMediaType, codeMediaType,
		fmt.Sprintf("Content-Type %q is not supported; send the body as application/json.", ct))
}
