package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/mockcommand/mockcommand/internal/model"
)

// The Command error codes the mock uses. Command's own codes are 8-hex-digit
// strings with a 0xA0 high byte; where a real code is known (0xA0110007 for
// a missing header, 0xA011004A for a bad sort field) the mock uses it, and
// the rest are its own, grouped by class. The README has this table.
const (
	codeInternal        = "0xA0100001" // 500: unexpected failure
	codeValidation      = "0xA0110001" // 400: a value in the request is wrong
	codeMalformed       = "0xA0110003" // 400: body is not valid JSON of the expected shape
	codeQuery           = "0xA0110004" // 400: QueryString does not parse or check
	codePaging          = "0xA0110005" // 400: bad PageReturned, ReturnLimit or SortAscending
	codeDuplicate       = "0xA0110006" // 400: the name (or, admin API, the AgentId) is taken
	codeMissingHeader   = "0xA0110007" // 400: a required header is missing
	codeAPIVersion      = "0xA0110008" // 400: unsupported x-keyfactor-api-version
	codeBodyTooLarge    = "0xA0110009" // 413: body over the size limit
	codeMediaType       = "0xA011000A" // 415: body is not JSON
	codeSortField       = "0xA011004A" // 400: unknown sort field
	codeNotFound        = "0xA0120001" // 404: the id in the path does not exist
	codeNoEndpoint      = "0xA0130001" // 404: no such endpoint
	codeMethod          = "0xA0130002" // 405: endpoint exists, method does not
	codeUnauthenticated = "0xA0140001" // 401 on admin routes only (Keyfactor routes send no body)
	codePermission      = "0xA0140002" // 401/403 from an injected fault: Command's "doesn't have the required permission"
)

// ErrorBody is Command's error response.
type ErrorBody struct {
	ErrorCode string
	Message   string
}

// apiError is an error that already knows its status and Command code.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func newError(status int, code, msg string) error {
	return &apiError{status: status, code: code, msg: msg}
}

// kindStatus maps store/model error kinds to a status and Command code.
var kindStatus = map[model.Kind]struct {
	status int
	code   string
}{
	model.Invalid:      {http.StatusBadRequest, codeValidation},
	model.Malformed:    {http.StatusBadRequest, codeMalformed},
	model.NotFound:     {http.StatusNotFound, codeNotFound},
	model.Conflict:     {http.StatusBadRequest, codeDuplicate},
	model.InvalidSort:  {http.StatusBadRequest, codeSortField},
	model.InvalidQuery: {http.StatusBadRequest, codeQuery},
	model.Unavailable:  {http.StatusInternalServerError, codeInternal},
}

// writeError answers with a Command error body. Errors the mock did not
// classify are logged and answered with a generic 500, so no Go or SQL text
// reaches the client.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	status, body := describe(r, logger, err)
	encode(w, status, body)
}

// describe gives the status and Command error body of err (see writeError).
func describe(r *http.Request, logger *slog.Logger, err error) (int, ErrorBody) {
	var ae *apiError
	var me *model.Error
	switch {
	case errors.As(err, &ae):
		return ae.status, ErrorBody{ErrorCode: ae.code, Message: ae.msg}
	case errors.As(err, &me) && me.Kind != model.Internal:
		m := kindStatus[me.Kind]
		return m.status, ErrorBody{ErrorCode: m.code, Message: me.Message}
	case r.Context().Err() != nil:
		// The client went away; nobody will read the answer.
		logger.LogAttrs(r.Context(), slog.LevelDebug, "request cancelled", slog.String("path", r.URL.Path))
	default:
		logger.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	return http.StatusInternalServerError, ErrorBody{ErrorCode: codeInternal, Message: "An unexpected error occurred."}
}
