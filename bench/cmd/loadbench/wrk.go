package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// request is one request of a workload.
type request struct {
	method, uri, body string
}

// wrkResult is what one wrk run reports (its done() function prints it).
type wrkResult struct {
	Requests   int64   `json:"requests"`
	DurationUs int64   `json:"duration_us"`
	Non2xx     int64   `json:"non2xx"`
	Connect    int64   `json:"connect"`
	Read       int64   `json:"read"`
	Write      int64   `json:"write"`
	Timeout    int64   `json:"timeout"`
	P50Us      float64 `json:"p50_us"`
	P99Us      float64 `json:"p99_us"`
}

func (r wrkResult) rps() float64 {
	return float64(r.Requests) / (float64(r.DurationUs) / 1e6)
}

// errors counts failed requests: statuses of 400 and up, and socket errors.
func (r wrkResult) errors() int64 { return r.Non2xx + r.Connect + r.Read + r.Write + r.Timeout }

func (r wrkResult) p50() time.Duration { return time.Duration(r.P50Us) * time.Microsecond }
func (r wrkResult) p99() time.Duration { return time.Duration(r.P99Us) * time.Microsecond }

// luaString quotes s for Lua.
func luaString(s string) string { return strconv.Quote(s) }

// writeScript writes the wrk script of a workload: each wrk thread walks
// the requests in order from its own starting point, with the Keyfactor
// headers, and done() prints the run's figures as one JSON line.
func writeScript(dir, name string, reqs []request) (string, error) {
	var b strings.Builder
	b.WriteString("local reqs = {\n")
	for _, r := range reqs {
		fmt.Fprintf(&b, "  {%s, %s, %s},\n", luaString(r.method), luaString(r.uri), luaString(r.body))
	}
	b.WriteString(`}
local n = #reqs
local formatted = {}
local threads = 0
wrk.headers["Authorization"] = "Basic YWRtaW46cGFzc3dvcmQ="
wrk.headers["x-keyfactor-requested-with"] = "APIClient"
wrk.headers["x-keyfactor-api-version"] = "1"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-certificateformat"] = "PEM"
function setup(thread)
  threads = threads + 1
  thread:set("start", (threads * 7919) % n)
end
function init(args)
  i = start or 0
  for k, r in ipairs(reqs) do
    local body = nil
    if r[3] ~= "" then body = r[3] end
    formatted[k] = wrk.format(r[1], r[2], nil, body)
  end
end
function request()
  i = i % n + 1
  return formatted[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%.0f,"p99_us":%.0f}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`)
	path := filepath.Join(dir, name+".lua")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

// runWrk runs wrk on base (scheme://host:port) with the script for d.
func runWrk(ctx context.Context, script, base string, conns, threads int, d time.Duration) (wrkResult, error) {
	cmd := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
		"-d", fmt.Sprintf("%ds", max(1, int(d.Round(time.Second).Seconds()))), "--timeout", "10s", "-s", script, base)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var r wrkResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		return wrkResult{}, fmt.Errorf("wrk's summary: %v\n%s", err, out)
	}
	return r, nil
}
