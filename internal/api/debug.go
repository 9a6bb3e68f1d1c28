package api

import (
	"net/http"
	"net/http/pprof"

	"github.com/go-chi/chi/v5"
)

// handleDebug serves Go's runtime profiles (net/http/pprof) under
// /_mock/debug/pprof/, behind the admin token like every /_mock route:
// bench/ takes a CPU profile of the mock under each load with them.
func (s *Server) handleDebug(w http.ResponseWriter, r *http.Request) {
	switch name := chi.URLParam(r, "name"); name {
	case "":
		pprof.Index(w, r)
	case "profile":
		pprof.Profile(w, r)
	case "trace":
		pprof.Trace(w, r)
	case "cmdline":
		pprof.Cmdline(w, r)
	case "symbol":
		pprof.Symbol(w, r)
	default:
		pprof.Handler(name).ServeHTTP(w, r)
	}
}
