package api

import (
	"context"
	"net/http"
	"sync"
)

// note collects what the layers of one request learn about it for the
// request log and the journal: the warnings it earned, the fault rule that
// acted on it, and why it was refused authentication.
type note struct {
	mu       sync.Mutex
	warnings []string
	fault    int64
	authFail string
}

type noteKey struct{}

// withNote returns r carrying a fresh note, and the note.
func withNote(r *http.Request) (*http.Request, *note) {
	n := &note{}
	return r.WithContext(context.WithValue(r.Context(), noteKey{}, n)), n
}

// noteOf returns the request's note; a request without one (a handler
// called directly) gets a throwaway.
func noteOf(r *http.Request) *note {
	if n, ok := r.Context().Value(noteKey{}).(*note); ok {
		return n
	}
	return &note{}
}

func (n *note) warn(w http.ResponseWriter, msg string) {
	n.mu.Lock()
	n.warnings = append(n.warnings, msg)
	n.mu.Unlock()
	w.Header().Add("x-mockcommand-warning", msg)
}

func (n *note) snapshot() (warnings []string, fault int64, authFail string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.warnings...), n.fault, n.authFail
}
