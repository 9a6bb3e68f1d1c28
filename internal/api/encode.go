package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/mockcommand/mockcommand/internal/model"
)

// contentTypeJSON is the Content-Type of every JSON response.
const contentTypeJSON = "application/json; charset=utf-8"

// encode writes v as JSON with status. Marshalling happens before any
// header is written, so a failure still produces a clean 500.
func encode(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(ErrorBody{ErrorCode: codeInternal, Message: "An unexpected error occurred."})
	}
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
