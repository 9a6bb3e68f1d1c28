// Package ui is the mock's dashboard at /_mock/ui/: server-rendered pages
// (html/template, so every value is escaped) over the same controls the
// /_mock API uses, with a little JavaScript for local times and the live
// request view. Everything it serves is embedded; it needs no build step.
//
// State-changing actions are POST forms. The handler refuses cross-origin
// POSTs (http.CrossOriginProtection), so a page on another site cannot
// drive the mock, and when the mock has an admin token every page needs it
// (the bearer header, or a cookie set by the login form).
package ui

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/mock"
)

// Prefix is where the dashboard is served.
const Prefix = "/_mock/ui"

//go:embed templates/*.html
var files embed.FS

// The stylesheet and the script are part of every page (one request for
// the first screen); the Content-Security-Policy allows exactly them, by
// their hashes, and nothing else inline.
var (
	//go:embed static/app.css
	styleText string
	//go:embed static/app.js
	scriptText string

	csp = "default-src 'self'; style-src " + cspHash(styleText) + "; script-src " + cspHash(scriptText) +
		"; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)

// cspHash is the CSP source expression that allows an inline element with
// this exact text.
func cspHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Info is what the overview shows of the mock's configuration.
type Info struct {
	Version        string // the mock's build
	ProductVersion string // the Command version it answers as
	BasePath       string
	Auth           string // the auth modes, as --auth takes them
}

// Problem is an error as the API would answer it.
type Problem struct {
	Status    int
	ErrorCode string
	Message   string
}

// Deps is what the dashboard works on.
type Deps struct {
	Mock   *mock.Mock
	Info   Info
	Logger *slog.Logger
	// Describe turns an error into the status and Command error body the
	// API would answer with, so the dashboard shows the same errors.
	Describe func(r *http.Request, err error) Problem
	// AdminToken is the --admin-token; empty means the dashboard is open.
	AdminToken string
	// Stop is closed when the server shuts down: live views end then.
	Stop <-chan struct{}
}

// UI is the dashboard's handler.
type UI struct {
	Deps
	pages  map[string]*template.Template
	cookie string       // the login cookie's value: a MAC of the admin token
	pickup atomic.Int64 // the checkin mode's pickup delay, kept while another mode is on
	h      http.Handler
}

// cookieName holds the login when the mock has an admin token.
const cookieName = "mockcommand_admin"

// New builds the dashboard.
func New(d Deps) *UI {
	u := &UI{Deps: d, pages: pages}
	if d.AdminToken != "" {
		// The login cookie is a MAC of the token under a key of this
		// process: it reveals nothing of the token, and a restart ends it.
		key := make([]byte, 32)
		_, _ = rand.Read(key) // never fails (crypto/rand)
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(d.AdminToken))
		u.cookie = hex.EncodeToString(mac.Sum(nil))
	}
	r := chi.NewRouter()
	r.Get("/login", u.handleLoginForm)
	r.Post("/login", u.handleLogin)
	r.Post("/logout", u.handleLogout)
	r.Group(func(r chi.Router) {
		r.Use(u.requireLogin, u.runDue)
		u.overviewRoutes(r)
		u.orchestratorRoutes(r)
		u.jobRoutes(r)
		u.requestRoutes(r)
		u.faultRoutes(r)
		u.resourceRoutes(r)
	})
	// Unknown paths (and a GET of an action) ask for the login too, so
	// they tell nothing before it.
	notFound := u.requireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.render(w, r, http.StatusNotFound, "message.html", "Not found", "", nil)
	})).ServeHTTP
	r.NotFound(notFound)
	r.MethodNotAllowed(notFound)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.render(w, r, http.StatusForbidden, "message.html", "Refused", "",
			"This action came from another site, so the mock refused it. Use the dashboard's own pages.")
	}))
	u.h = cop.Handler(http.StripPrefix(Prefix, r))
	return u
}

// ServeHTTP serves paths under Prefix.
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	// Route on the dashboard's own router, not on the route state of the
	// router that handed the request over.
	u.h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, (*chi.Context)(nil))))
}

// runDue completes the job runs that have fallen due, as the API does
// before every request, so the pages show the state a client would see.
func (u *UI) runDue(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := u.Mock.RunDue(r.Context()); err != nil {
			u.Logger.ErrorContext(r.Context(), "dashboard: completing due runs", "error", err)
		}
		next.ServeHTTP(w, r)
	})
}

// requireLogin lets a request through when the mock has no admin token,
// or it carries the token (bearer header) or the login cookie; otherwise
// it shows the login form.
func (u *UI) requireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u.loggedIn(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="mockcommand admin"`)
		next := Prefix + r.URL.Path // the path under Prefix, with the query
		if r.URL.RawQuery != "" {
			next += "?" + r.URL.RawQuery
		}
		u.render(w, r, http.StatusUnauthorized, "login.html", "Log in", "", loginView{Next: next})
	})
}

// handleLoginForm shows the login form (or, logged in, the overview).
func (u *UI) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if u.loggedIn(r) {
		http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
		return
	}
	u.render(w, r, http.StatusUnauthorized, "login.html", "Log in", "", loginView{Next: Prefix + "/"})
}

// handleLogout drops the login cookie.
func (u *UI) handleLogout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/_mock/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
}

func (u *UI) loggedIn(r *http.Request) bool {
	if u.AdminToken == "" {
		return true
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(u.AdminToken)) == 1 {
		return true
	}
	c, err := r.Cookie(cookieName)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(u.cookie)) == 1
}

type loginView struct {
	Next  string
	Error string
}

// handleLogin checks the admin token typed into the login form and sets
// the login cookie (HttpOnly, SameSite=Strict, for /_mock/ only).
func (u *UI) handleLogin(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.PostFormValue("next"))
	if u.AdminToken == "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("token")), []byte(u.AdminToken)) != 1 {
		u.render(w, r, http.StatusUnauthorized, "login.html", "Log in", "",
			loginView{Next: next, Error: "That is not the mock's admin token (--admin-token)."})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: u.cookie, Path: "/_mock/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// localPath keeps a redirect target inside the dashboard.
func localPath(p string) string {
	if !strings.HasPrefix(p, Prefix+"/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return Prefix + "/"
	}
	return p
}

// view is what every page template gets.
type view struct {
	Title  string
	Nav    string // the navigation entry to mark current
	Flash  string // the outcome of the last action
	Error  string // what went wrong with it
	Prefix string
	Logout bool // the mock has an admin token: offer to log out
	D      any  // the page's own data
}

// flashCookie carries the outcome of an action to the page the action
// redirects to (and only there: it is read once). A cookie rather than a
// URL parameter, so a link from elsewhere cannot put words on a page.
const flashCookie = "mockcommand_flash"

// takeFlash reads and clears the outcome of the last action.
func takeFlash(w http.ResponseWriter, r *http.Request) (ok, failed string) {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return "", ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: Prefix + "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return "", ""
	}
	kind, msg, _ := strings.Cut(string(b), "\x00")
	if kind == "err" {
		return "", msg
	}
	return msg, ""
}

// render executes a page into a buffer first, so a template failure is a
// clean 500 rather than half a page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, page, title, nav string, data any) {
	t, ok := u.pages[page]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	v := view{Title: title, Nav: nav, Prefix: Prefix, D: data, Logout: u.AdminToken != "" && page != "login.html"}
	if page != "login.html" {
		v.Flash, v.Error = takeFlash(w, r)
	}
	if msg, ok := data.(string); ok { // a page that could not be made: the message alone
		v.Error, v.D, t = msg, nil, u.pages["message.html"]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		u.Logger.ErrorContext(r.Context(), "dashboard: rendering a page", "page", page, "error", err)
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// done redirects after an action (POST, then GET) to path, with the
// outcome for that page to show: ok when err is nil, else the error as
// the API would word it.
func (u *UI) done(w http.ResponseWriter, r *http.Request, path, ok string, err error) {
	flash := "ok\x00" + ok
	if err != nil {
		flash = "err\x00" + u.problemText(r, err)
	}
	if ok != "" || err != nil {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(flash)),
			Path: Prefix + "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// problemText words err as the API's error body would.
func (u *UI) problemText(r *http.Request, err error) string {
	p := u.Describe(r, err)
	return p.ErrorCode + ": " + p.Message
}

// streamHeartbeat is how often the live request view's stream says it is
// alive when nothing happens.
const streamHeartbeat = 15 * time.Second
