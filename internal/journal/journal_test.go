package journal_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/model"
)

func TestJournal_RingKeepsTheNewest(t *testing.T) {
	j := journal.New(3, 0)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		j.Add(journal.Entry{Method: "GET", Path: fmt.Sprintf("/p%d", i), Time: model.NewTime(t0.Add(time.Duration(i) * time.Second))})
	}
	page, total := j.List(journal.Filter{}, 0, 0)
	if total != 3 || len(page) != 3 {
		t.Fatalf("total %d, page %d; want 3, 3", total, len(page))
	}
	for i, e := range page {
		if want := fmt.Sprintf("/p%d", i+2); e.Path != want || e.Id != int64(i+3) {
			t.Errorf("entry %d = %s id %d, want %s id %d", i, e.Path, e.Id, want, i+3)
		}
	}
	page, total = j.List(journal.Filter{Since: t0.Add(3 * time.Second)}, 1, 5)
	if total != 2 || len(page) != 1 || page[0].Path != "/p4" {
		t.Errorf("since+offset: total %d page %+v; want 2 and [/p4]", total, page)
	}
	j.Clear()
	if _, total := j.List(journal.Filter{}, 0, 0); total != 0 {
		t.Errorf("after Clear: %d entries", total)
	}
	if id := j.Add(journal.Entry{}); id != 6 {
		t.Errorf("id after Clear = %d, want 6 (ids keep increasing)", id)
	}
}

func TestJournal_ByteBudgetDropsTheOldest(t *testing.T) {
	j := journal.New(100, 2000)
	for i := range 10 {
		// 256 + 1 + 150 + 150 + ("H" + "v" + 32) = 591 bytes each
		j.Add(journal.Entry{Path: fmt.Sprint(i), Body: string(make([]byte, 150)), ResponseBody: string(make([]byte, 150)), Headers: map[string][]string{"H": {"v"}}})
	}
	page, total := j.List(journal.Filter{}, 0, 0)
	if total != 3 || page[0].Path != "7" || page[2].Path != "9" {
		t.Errorf("kept %d entries from %s; want the newest 3 (1773 of 2000 bytes)", total, page[0].Path)
	}
	// An entry larger than the budget is still kept, alone.
	j.Add(journal.Entry{Path: "big", ResponseBody: string(make([]byte, 5000))})
	if page, total := j.List(journal.Filter{}, 0, 0); total != 1 || page[0].Path != "big" {
		t.Errorf("after a huge entry: %d entries", total)
	}
	j.Add(journal.Entry{Path: "small"})
	if _, total := j.List(journal.Filter{}, 0, 0); total != 1 {
		t.Errorf("the huge entry should make way for the next: %d entries", total)
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/KeyfactorAPI/Agents", "/keyfactorapi/agents", true},
		{"/KeyfactorAPI/Agents", "/KeyfactorAPI/Agents/x", false},
		{"*/Agents*", "/KeyfactorAPI/Agents/x/Reset", true},
		{"/KeyfactorAPI/*/Custom", "/KeyfactorAPI/OrchestratorJobs/Custom", true},
		{"/KeyfactorAPI/*/Custom", "/KeyfactorAPI/OrchestratorJobs/Custom/Bulk", false},
		{"*", "/anything", true},
		{"/a*b*c", "/abc", true},
		{"/a*b*c", "/acb", false},
	}
	for _, tt := range tests {
		if got := journal.Match(tt.pattern, tt.path); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestRedactHeaders(t *testing.T) {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(`CORP\admin`, "s3cret")
	r.Header.Set("Cookie", "session=abc")
	r.Header.Set("X-Keyfactor-Requested-With", "APIClient")
	h := journal.RedactHeaders(r.Header)
	if got := h["Authorization"][0]; got != `Basic CORP\admin:[redacted]` {
		t.Errorf("Authorization = %q", got)
	}
	if got := h["Cookie"][0]; got != "[redacted]" {
		t.Errorf("Cookie = %q", got)
	}
	if got := h["X-Keyfactor-Requested-With"][0]; got != "APIClient" {
		t.Errorf("other headers changed: %q", got)
	}
	r.Header.Set("Authorization", "Bearer eyJhbGciOi.x.y")
	if got := journal.RedactHeaders(r.Header)["Authorization"][0]; got != "Bearer [redacted]" {
		t.Errorf("bearer = %q", got)
	}
}
