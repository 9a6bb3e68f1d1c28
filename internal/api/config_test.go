package api_test

import (
	"testing"

	"github.com/mockcommand/mockcommand/internal/api"
)

// Every spelling ParseAuthMode accepts ends up as the mode it means, so
// that the auth middleware (which compares modes) sees it: "oauth,basic"
// given to an embedded server must accept both, not neither.
func TestConfigNormalize_CanonicalAuthMode(t *testing.T) {
	for in, want := range map[api.AuthMode]api.AuthMode{
		"oauth,basic": api.AuthBasicOAuth,
		" Basic ":     api.AuthBasic,
		"OAUTH":       api.AuthOAuth,
		"none":        api.AuthNone,
	} {
		c := api.DefaultConfig()
		c.Auth = in
		if err := c.Normalize(); err != nil || c.Auth != want {
			t.Errorf("Normalize of auth %q: %q, %v; want %q", in, c.Auth, err, want)
		}
	}
}
