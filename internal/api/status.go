package api

import "net/http"

// handleStatusEndpoints lists the endpoints the mock serves, as
// "METHOD /Path" strings. Clients call it to check their login.
func (s *Server) handleStatusEndpoints(w http.ResponseWriter, r *http.Request) {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.method + " " + rt.pattern
	}
	encode(w, http.StatusOK, out)
}

// handleHealth answers 200 while the store answers, 503 otherwise.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.store.Ping(r.Context()); err != nil {
		s.logger.ErrorContext(r.Context(), "health check failed", "error", err)
		encode(w, http.StatusServiceUnavailable, map[string]string{"Status": "Unavailable"})
		return
	}
	encode(w, http.StatusOK, map[string]string{"Status": "Healthy"})
}
