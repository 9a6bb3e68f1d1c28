package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// OpenAPIDocument is the OpenAPI 3 document of exactly what the mock
// serves: the Keyfactor routes under "/KeyfactorAPI/…" with Command's
// schema names, and the /_mock/ routes, all relative to the server URL "/".
// It changes with the mock: the tests validate every response against it
// and fail when a route is served but not documented, or the reverse.
// Callers must not modify the slice.
//
//go:embed openapi.json
var OpenAPIDocument []byte

// openAPIBasePath is the base path the embedded document's Keyfactor paths
// are written under.
const openAPIBasePath = "/KeyfactorAPI"

// openAPIByBase caches the document rewritten for other base paths.
var openAPIByBase sync.Map // string → []byte

// OpenAPIFor returns the document with its Keyfactor paths under basePath
// instead of /KeyfactorAPI: the keys of "paths" that start with
// "/KeyfactorAPI/" get basePath as their prefix (a trailing slash of
// basePath is ignored). Other paths and the rest of the document are
// unchanged. For /KeyfactorAPI itself it returns OpenAPIDocument.
func OpenAPIFor(basePath string) ([]byte, error) {
	base := strings.TrimSuffix(basePath, "/")
	if base == openAPIBasePath {
		return OpenAPIDocument, nil
	}
	if b, ok := openAPIByBase.Load(base); ok {
		return b.([]byte), nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(OpenAPIDocument, &doc); err != nil {
		return nil, fmt.Errorf("decode the OpenAPI document: %w", err)
	}
	var paths map[string]json.RawMessage
	if err := json.Unmarshal(doc["paths"], &paths); err != nil {
		return nil, fmt.Errorf("decode the OpenAPI paths: %w", err)
	}
	rewritten := make(map[string]json.RawMessage, len(paths))
	for k, v := range paths {
		if rest, ok := strings.CutPrefix(k, openAPIBasePath+"/"); ok {
			k = base + "/" + rest
		}
		rewritten[k] = v
	}
	p, err := json.Marshal(rewritten)
	if err != nil {
		return nil, fmt.Errorf("encode the OpenAPI paths: %w", err)
	}
	doc["paths"] = p
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode the OpenAPI document: %w", err)
	}
	v, _ := openAPIByBase.LoadOrStore(base, b)
	return v.([]byte), nil
}

// handleOpenAPI serves the OpenAPI document (GET <base-path>/swagger/v1/swagger.json
// and GET /_mock/openapi.json) with the Keyfactor paths under the configured
// base path.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	b, err := OpenAPIFor(s.cfg.BasePath)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}
