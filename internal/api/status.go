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
