package api

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
)

// AuthMode says how Keyfactor routes authenticate callers.
type AuthMode string

// The authentication modes.
const (
	AuthBasic      AuthMode = "basic"       // HTTP Basic against Config.Users
	AuthNone       AuthMode = "none"        // every caller is accepted
	AuthOAuth      AuthMode = "oauth"       // bearer tokens from the mock's token endpoint
	AuthBasicOAuth AuthMode = "basic,oauth" // either
)

// ParseAuthMode reads basic, none, oauth, or basic,oauth (in any order).
func ParseAuthMode(s string) (AuthMode, error) {
	parts := strings.Split(strings.ToLower(strings.ReplaceAll(s, " ", "")), ",")
	basic, oauth, none := false, false, false
	for _, p := range parts {
		switch p {
		case "basic":
			basic = true
		case "oauth":
			oauth = true
		case "none":
			none = true
		default:
			return "", fmt.Errorf("%q is not basic, oauth, basic,oauth or none", s)
		}
	}
	switch {
	case none && (basic || oauth):
		return "", fmt.Errorf("%q: none cannot be combined", s)
	case none:
		return AuthNone, nil
	case basic && oauth:
		return AuthBasicOAuth, nil
	case oauth:
		return AuthOAuth, nil
	}
	return AuthBasic, nil
}

func (m AuthMode) basic() bool { return m == AuthBasic || m == AuthBasicOAuth }
func (m AuthMode) oauth() bool { return m == AuthOAuth || m == AuthBasicOAuth }

// User is one set of Basic credentials. An empty Domain accepts the user
// under any domain (or none); a set Domain must match, case-insensitively.
type User struct {
	Domain   string
	Name     string
	Password string
}

// ParseUsers reads a comma-separated credential list such as
// "admin:password,CORP\alice:s3cret". Names may be written DOMAIN\user,
// user@domain or user.
func ParseUsers(s string) ([]User, error) {
	var users []User
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, password, ok := strings.Cut(entry, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("user %q must be written name:password", entry)
		}
		domain, user := splitDomain(name)
		if user == "" {
			return nil, fmt.Errorf("user %q has an empty name", entry)
		}
		users = append(users, User{Domain: domain, Name: user, Password: password})
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("no users given")
	}
	return users, nil
}

// splitDomain separates DOMAIN\user or user@domain into domain and user.
func splitDomain(name string) (domain, user string) {
	if d, u, ok := strings.Cut(name, `\`); ok {
		return d, u
	}
	if i := strings.LastIndex(name, "@"); i >= 0 {
		return name[i+1:], name[:i]
	}
	return "", name
}

// authenticate checks a request's Basic credentials against users. It
// returns "" when they match, otherwise why not (for the request log).
func authenticate(r *http.Request, users []User) string {
	name, password, ok := r.BasicAuth()
	if !ok {
		return "the Basic credentials are not valid base64 of user:password"
	}
	domain, user := splitDomain(name)
	known := false
	for _, u := range users {
		if !strings.EqualFold(u.Name, user) || (u.Domain != "" && !strings.EqualFold(u.Domain, domain)) {
			continue
		}
		known = true
		if subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1 {
			return ""
		}
	}
	if known {
		return fmt.Sprintf("wrong password for user %q", name)
	}
	return fmt.Sprintf("unknown user %q (--users)", name)
}
