package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/mockcommand/mockcommand/internal/api"
)

// The OpenAPI contract check: validating wraps the mock's handler and checks
// every response against the document the mock embeds (api.OpenAPIDocument),
// so a drift between code and contract fails the test that made the call.

// oaDocBase is the base path the document's Keyfactor paths are written under.
const oaDocBase = "/KeyfactorAPI"

// oaFaultHeader marks responses made by an injected fault.
const oaFaultHeader = "x-mockcommand-fault"

// oaGUID is the format the document's "uuid" strings must have: a GUID in
// the lower-case canonical form Command (and the mock) write.
var oaGUID = openapi3.NewRegexpFormatValidator(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// oaTemplate is one path of the document.
type oaTemplate struct {
	path      string   // as written in the document
	segs      []string // path segments; "{name}" matches any non-empty segment
	keyfactor bool     // under /KeyfactorAPI: matched case-insensitively, a trailing slash ignored
	item      *openapi3.PathItem
	// noMethod, when set, is what the path answers for methods it does not
	// have, named by the path item's x-mockcommand-method-not-allowed.
	noMethod *openapi3.Operation
}

// oaNoMethodExt names, on a path item, the components/responses entry its
// other methods answer instead of MethodNotAllowed.
const oaNoMethodExt = "x-mockcommand-method-not-allowed"

// oaSpec is the loaded document with what matching and validating need.
type oaSpec struct {
	doc       *openapi3.T
	templates []*oaTemplate // most specific first: at each segment a literal before a parameter
	opts      *openapi3filter.Options
	errorBody *openapi3.Schema
	// Synthetic operations for requests the document has no operation for,
	// built from components/responses: a path no template matches, and a
	// matched path with another method, under the base path and outside it.
	kfNoPath, kfNoMethod, otherNoPath, otherNoMethod *openapi3.Operation
}

var (
	oaOnce   sync.Once
	oaLoaded *oaSpec
	oaErr    error
	// oaMu serialises validation: kin-openapi's validators are not
	// documented as safe for concurrent use on one document.
	oaMu sync.Mutex
)

// oaLoad parses and validates the embedded document once.
func oaLoad() (*oaSpec, error) {
	oaOnce.Do(func() { oaLoaded, oaErr = oaParse(api.OpenAPIDocument) })
	return oaLoaded, oaErr
}

func oaParse(data []byte) (*oaSpec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	s := &oaSpec{doc: doc}
	for path, item := range doc.Paths.Map() {
		kf := path == oaDocBase || strings.HasPrefix(path, oaDocBase+"/")
		s.templates = append(s.templates, &oaTemplate{path: path, segs: strings.Split(path, "/"), keyfactor: kf, item: item})
	}
	slices.SortFunc(s.templates, func(a, b *oaTemplate) int {
		for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
			pa, pb := oaIsParam(a.segs[i]), oaIsParam(b.segs[i])
			if pa != pb {
				if pa {
					return 1
				}
				return -1
			}
		}
		return strings.Compare(a.path, b.path)
	})
	eb := doc.Components.Schemas["ErrorBody"]
	if eb == nil || eb.Value == nil {
		return nil, fmt.Errorf("the OpenAPI document has no components/schemas/ErrorBody")
	}
	s.errorBody = eb.Value
	synth := func(codes map[int]string) (*openapi3.Operation, error) {
		rs := openapi3.NewResponses()
		for code, name := range codes {
			r := doc.Components.Responses[name]
			if r == nil {
				return nil, fmt.Errorf("the OpenAPI document has no components/responses/%s", name)
			}
			rs.Set(fmt.Sprint(code), r)
		}
		return &openapi3.Operation{Responses: rs}, nil
	}
	// Under the base path the Keyfactor middleware (authentication, then the
	// Keyfactor headers) runs before routing, also for unknown paths.
	kfPre := map[int]string{400: "BadRequest", 401: "Unauthorized", 500: "InternalServerError"}
	for _, x := range []struct {
		op    **openapi3.Operation
		codes map[int]string
	}{
		{&s.kfNoPath, oaWith(kfPre, 404, "NoEndpoint")},
		{&s.kfNoMethod, oaWith(kfPre, 405, "MethodNotAllowed")},
		{&s.otherNoPath, map[int]string{404: "NoEndpoint", 500: "InternalServerError"}},
		{&s.otherNoMethod, map[int]string{405: "MethodNotAllowed", 500: "InternalServerError"}},
	} {
		if *x.op, err = synth(x.codes); err != nil {
			return nil, err
		}
	}
	for _, t := range s.templates {
		name, ok := t.item.Extensions[oaNoMethodExt].(string)
		if !ok {
			continue
		}
		if t.noMethod, err = synth(map[int]string{405: name, 500: "InternalServerError"}); err != nil {
			return nil, err
		}
	}
	// The pprof index is HTML: the validator checks its status and type.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	s.opts = &openapi3filter.Options{
		ExcludeRequestBody:        true,
		ExcludeRequestQueryParams: true,
		IncludeResponseStatus:     true, // an undocumented status is an error
		MultiError:                true,
		AuthenticationFunc:        openapi3filter.NoopAuthenticationFunc,
		SchemaValidationOptions:   []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidator("uuid", oaGUID)},
	}
	return s, nil
}

func oaWith(m map[int]string, code int, name string) map[int]string {
	out := map[int]string{code: name}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func oaIsParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// oaMatch is what a request resolves to in the document.
type oaMatch struct {
	tmpl   *oaTemplate         // nil when no path matches
	op     *openapi3.Operation // the documented or synthetic operation
	params map[string]string
	// documented is true when the document has this method on this path.
	documented bool
}

// match resolves a request like the mock's routers do. Paths under basePath
// (matched case-insensitively) are mapped to the document's /KeyfactorAPI
// and compared case-insensitively, ignoring a trailing slash, as Command's
// (IIS) routing does; other paths (/_mock/…) compare exactly, as chi does.
// Among templates that match, literal segments win over parameters, and a
// template without the method falls through to the next one (chi's
// backtracking), so POST /Agents/Approve is Approve while GET /Agents/Approve
// is GET /Agents/{id}.
func (s *oaSpec) match(method, path, basePath string) oaMatch {
	base := strings.TrimSuffix(basePath, "/")
	keyfactor := false
	if len(path) >= len(base) && strings.EqualFold(path[:len(base)], base) &&
		(len(path) == len(base) || path[len(base)] == '/') && !strings.HasPrefix(path, "/_mock/") {
		keyfactor = true
		rest := path[len(base):]
		if len(rest) > 1 {
			rest = strings.TrimSuffix(rest, "/")
		}
		if rest == "" {
			rest = "/"
		}
		path = oaDocBase + rest
	}
	segs := strings.Split(path, "/")
	var pathMatched *oaTemplate
	for _, t := range s.templates {
		// A last segment "*" (the dashboard, /_mock/ui/*) matches the rest of the path.
		wild := len(t.segs) > 0 && t.segs[len(t.segs)-1] == "*"
		if t.keyfactor != keyfactor || (!wild && len(t.segs) != len(segs)) || (wild && len(segs) < len(t.segs)) {
			continue
		}
		params, ok := oaMatchSegs(t.segs, segs, keyfactor)
		if !ok {
			continue
		}
		if pathMatched == nil {
			pathMatched = t
		}
		if op := t.item.GetOperation(method); op != nil {
			return oaMatch{tmpl: t, op: op, params: params, documented: true}
		}
	}
	switch {
	case pathMatched != nil && pathMatched.noMethod != nil:
		return oaMatch{op: pathMatched.noMethod}
	case keyfactor && pathMatched != nil:
		return oaMatch{op: s.kfNoMethod}
	case keyfactor:
		return oaMatch{op: s.kfNoPath}
	case pathMatched != nil:
		return oaMatch{op: s.otherNoMethod}
	}
	return oaMatch{op: s.otherNoPath}
}

func oaMatchSegs(tmpl, segs []string, fold bool) (map[string]string, bool) {
	params := map[string]string{}
	for i, ts := range tmpl {
		switch {
		case ts == "*" && i == len(tmpl)-1:
			return params, true
		case oaIsParam(ts):
			if segs[i] == "" {
				return nil, false
			}
			params[ts[1:len(ts)-1]] = segs[i]
		case fold && strings.EqualFold(ts, segs[i]), ts == segs[i]:
		default:
			return nil, false
		}
	}
	return params, true
}

// oaRecorder passes a response through and keeps a copy of it.
type oaRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *oaRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *oaRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *oaRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// oaValidator is the handler validating returns. It also counts which
// statuses each documented operation answered, for coverage checks.
type oaValidator struct {
	t    testing.TB
	next http.Handler
	spec *oaSpec
	base string

	mu   sync.Mutex
	seen map[string]map[int]int // "METHOD /path/template" → status → count
}

// validating wraps h, the mock's handler with the default base path
// /KeyfactorAPI, so that every response it gives is checked against the
// embedded OpenAPI document: status, headers, Content-Type and body. A
// mismatch is reported with t.Errorf (never Fatal: the handler runs on the
// server's goroutine) naming the method, path, status and validation error.
//
// Requests whose path the document does not have must answer 404 with an
// ErrorBody (components/responses/NoEndpoint), or under the base path 401
// or 400 from the Keyfactor middleware, which runs before routing; a
// documented path with another method must answer 405
// (components/responses/MethodNotAllowed, or the response the path item's
// x-mockcommand-method-not-allowed names). Responses of injected faults
// (x-mockcommand-fault) may have any status and must carry an ErrorBody.
func validating(t testing.TB, h http.Handler) http.Handler {
	return newValidator(t, h, oaDocBase)
}

// validatingAt is validating for a mock configured with another base path.
func validatingAt(t testing.TB, h http.Handler, basePath string) http.Handler {
	return newValidator(t, h, basePath)
}

func newValidator(t testing.TB, h http.Handler, basePath string) *oaValidator {
	t.Helper()
	spec, err := oaLoad()
	if err != nil {
		t.Fatalf("OpenAPI contract: %v", err)
	}
	return &oaValidator{t: t, next: h, spec: spec, base: basePath, seen: map[string]map[int]int{}}
}

func (v *oaValidator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &oaRecorder{ResponseWriter: w}
	v.next.ServeHTTP(rec, r) // a panic (a dropped connection) skips the check
	if rec.status == 0 && r.Context().Err() != nil {
		return // the client went away and nothing was answered
	}
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	if err := v.check(r, status, rec.Header(), rec.body.Bytes()); err != nil {
		v.t.Errorf("OpenAPI contract: %s %s → %d: %v\nresponse body: %s", r.Method, r.URL.RequestURI(), status,
			oaShorten(err.Error(), 4000), oaShorten(rec.body.String(), 1000))
	}
}

// check validates one response.
func (v *oaValidator) check(r *http.Request, status int, header http.Header, body []byte) error {
	s := v.spec
	if header.Get(oaFaultHeader) != "" {
		return s.checkErrorBody(header, body)
	}
	method := strings.ToUpper(r.Method) // the mock matches methods without regard to case
	m := s.match(method, r.URL.Path, v.base)
	route := &routers.Route{Spec: s.doc, Server: s.doc.Servers[0], Method: method, Operation: m.op}
	if m.tmpl != nil {
		route.Path, route.PathItem = m.tmpl.path, m.tmpl.item
		v.mu.Lock()
		key := method + " " + m.tmpl.path
		if v.seen[key] == nil {
			v.seen[key] = map[int]int{}
		}
		v.seen[key][status]++
		v.mu.Unlock()
	}
	if ref := m.op.Responses.Status(status); ref != nil && ref.Value != nil && len(ref.Value.Content) == 0 && len(body) > 0 {
		return fmt.Errorf("the documented %d response has no body, but the mock sent %d bytes", status, len(body))
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: m.params, Route: route, Options: s.opts},
		Status:                 status,
		Header:                 header,
		Options:                s.opts,
	}
	in.SetBodyBytes(body)
	oaMu.Lock()
	defer oaMu.Unlock()
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		if !m.documented {
			return fmt.Errorf("no documented operation (the path or the method is not in the document): %w", err)
		}
		return err
	}
	return nil
}

// checkErrorBody validates a JSON ErrorBody.
func (s *oaSpec) checkErrorBody(header http.Header, body []byte) error {
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("Content-Type %q, want application/json", ct)
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	oaMu.Lock()
	defer oaMu.Unlock()
	if err := s.errorBody.VisitJSON(value, openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("the body is not an ErrorBody: %w", err)
	}
	return nil
}

// statuses returns what each documented operation answered so far.
func (v *oaValidator) statuses() map[string]map[int]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]map[int]int, len(v.seen))
	for k, m := range v.seen {
		c := make(map[int]int, len(m))
		for s, n := range m {
			c[s] = n
		}
		out[k] = c
	}
	return out
}

func oaShorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
