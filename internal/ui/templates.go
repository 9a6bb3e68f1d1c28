package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// pages are the parsed pages, by file name. The templates are embedded,
// so a parse failure is a defect of the build that every test catches.
var pages = func() map[string]*template.Template {
	p, err := parsePages()
	if err != nil {
		panic(err)
	}
	return p
}()

// parsePages parses each page with the layout and the shared partials:
// one template set per page, so every page can define "content".
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials.html", name)
		if err != nil {
			return nil, fmt.Errorf("parse dashboard page %s: %w", base, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// funcs are the helpers the templates use. Only the embedded stylesheet
// and script are trusted (template.CSS, template.JS); every value goes
// through html/template's escaping.
var funcs = template.FuncMap{
	"iso":         func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
	"utc":         func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"str":         deref,
	"agentStatus": func(n int) string { return nameOf(model.AgentStatusNames, n) },
	"jobStatus":   func(n int) string { return nameOf(model.JobStatusNames, n) },
	"jobResult":   func(n int) string { return nameOf(model.JobResultNames, n) },
	"platform":    func(n int) string { return nameOf(model.AgentPlatformNames, n) },
	"pretty":      pretty,
	"json":        toJSON,
	"ms":          func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + " ms" },
	"navItem":     navItem,
	"prefix":      func() string { return Prefix },
	"style":       func() template.CSS { return template.CSS(styleText) },
	"script":      func() template.JS { return template.JS(scriptText) },
	"schedule":    scheduleText,
	"lower":       strings.ToLower,
	"duration":    durationText,
	"queryParams": queryParams,
	"methods":     func() []string { return []string{"", "GET", "POST", "PUT", "PATCH", "DELETE"} },
}

// navEntry is a link of the navigation bar.
type navEntry struct {
	Href, Label string
	Current     bool
}

func navItem(v view, key, href, label string) navEntry {
	return navEntry{Href: Prefix + href, Label: label, Current: v.Nav == key}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// nameOf gives the enum name of n, or n itself when it has none.
func nameOf(names map[string]int64, n int) string {
	for name, v := range names {
		if int(v) == n {
			return name
		}
	}
	return strconv.Itoa(n)
}

// pretty indents s when it is JSON, and leaves it as it is otherwise.
func pretty(s string) string {
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(s), "", "  ") != nil {
		return s
	}
	return buf.String()
}

// toJSON renders v as indented JSON text (escaped like any other text).
func toJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// scheduleText describes a job's schedule in words.
func scheduleText(s model.Schedule) string {
	hm := func(t model.Time) string { return t.UTC().Format("15:04 UTC") }
	switch {
	case s.Interval != nil:
		return fmt.Sprintf("every %d min", s.Interval.Minutes)
	case s.Daily != nil:
		return "daily at " + hm(s.Daily.Time)
	case s.Weekly != nil:
		days := make([]string, len(s.Weekly.Days))
		for i, d := range s.Weekly.Days {
			days[i] = time.Weekday(d).String()[:3]
		}
		return "weekly on " + strings.Join(days, ", ") + " at " + hm(s.Weekly.Time)
	case s.Monthly != nil:
		return fmt.Sprintf("monthly on day %d at %s", s.Monthly.Day, hm(s.Monthly.Time))
	case s.ExactlyOnce != nil:
		return "once at " + s.ExactlyOnce.Time.UTC().Format("2006-01-02 15:04 UTC")
	}
	return "immediately"
}

// param is one decoded query parameter.
type param struct{ Name, Value string }

// queryParams decodes a raw query string for reading, in the order sent.
func queryParams(raw string) []param {
	var out []param
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out = append(out, param{k, v})
	}
	return out
}
