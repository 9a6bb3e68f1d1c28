package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/mockcommand/mockcommand/internal/model"
)

var (
	jobTypeMembers      = []string{"Id", "JobTypeName", "Description", "JobTypeFields"}
	jobTypeFieldMembers = []string{"Name", "Type", "DefaultValue", "Required"}
)

// typeNumbers maps the field type names the fixtures may use to Command's numbers.
var typeNumbers = map[string]int64{"string": 1, "int": 2, "datetime": 3, "bool": 4}

// wantField is what a JobTypeFieldResponse should hold.
type wantField struct {
	Name         string
	Type         int64
	DefaultValue *string
	Required     bool
}

func strp(s string) *string { return &s }

// listJobTypes GETs /JobTypes/Custom with params and returns the items.
func listJobTypes(t testing.TB, s *testServer, params url.Values) []map[string]any {
	t.Helper()
	r := s.get(t, withQuery(kf("/JobTypes/Custom"), params))
	wantJSON(t, r, http.StatusOK)
	return decodeArray(t, r.Body)
}

// jobTypeByName finds a job type in the list by name (exact).
func jobTypeByName(t testing.TB, s *testServer, name string) map[string]any {
	t.Helper()
	for _, m := range listJobTypes(t, s, q("ReturnLimit", "1000")) {
		if m["JobTypeName"] == name {
			return m
		}
	}
	t.Fatalf("job type %q is not listed", name)
	return nil
}

// checkJobType asserts the JSON shape of a JobTypeResponse and, when want is
// not nil, its fields. It returns the Id.
func checkJobType(t testing.TB, m map[string]any, name string, want []wantField) string {
	t.Helper()
	what := "job type " + name
	wantMembers(t, what, m, jobTypeMembers, nil)
	id := wantString(t, what, m, "Id")
	wantGUID(t, what+".Id", id)
	if got := wantString(t, what, m, "JobTypeName"); got != name {
		t.Errorf("%s: JobTypeName = %q, want %q", what, got, name)
	}
	wantStringOrNull(t, what, m, "Description")
	raw, ok := m["JobTypeFields"].([]any)
	if !ok {
		t.Fatalf("%s: JobTypeFields = %#v, want an array", what, m["JobTypeFields"])
	}
	var got []wantField
	for i, r := range raw {
		f, ok := r.(map[string]any)
		if !ok {
			t.Fatalf("%s: JobTypeFields[%d] = %#v, want an object", what, i, r)
		}
		fw := fmt.Sprintf("%s.JobTypeFields[%v]", what, f["Name"])
		wantMembers(t, fw, f, jobTypeFieldMembers, nil)
		wantStringOrNull(t, fw, f, "DefaultValue")
		req, ok := f["Required"].(bool)
		if !ok {
			t.Errorf("%s.Required = %#v, want a boolean", fw, f["Required"])
		}
		g := wantField{Name: wantString(t, fw, f, "Name"), Type: wantInt(t, fw, f, "Type"), Required: req}
		if d, ok := f["DefaultValue"].(string); ok {
			g.DefaultValue = &d
		}
		got = append(got, g)
	}
	if want != nil {
		if len(got) != len(want) {
			t.Fatalf("%s: %d fields %+v, want %d", what, len(got), got, len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Name != w.Name || g.Type != w.Type || g.Required != w.Required || model.Deref(g.DefaultValue) != model.Deref(w.DefaultValue) ||
				(g.DefaultValue == nil) != (w.DefaultValue == nil) {
				t.Errorf("%s: field %d = {%s %d %s %v}, want {%s %d %s %v}", what, i,
					g.Name, g.Type, showPtr(g.DefaultValue), g.Required, w.Name, w.Type, showPtr(w.DefaultValue), w.Required)
			}
		}
	}
	return id
}

func showPtr(s *string) string {
	if s == nil {
		return "null"
	}
	return `"` + *s + `"`
}

// fixtureFields turns a fixture job type's fields into what the API must
// show: Type as a number, DefaultValue as a string or null.
func fixtureFields(t testing.TB, jt fixtureJobType) []wantField {
	t.Helper()
	out := []wantField{}
	for _, f := range jt.JobTypeFields {
		w := wantField{Name: f.Name, Required: f.Required}
		var n int64
		var name string
		switch {
		case json.Unmarshal(f.Type, &n) == nil:
			w.Type = n
		case json.Unmarshal(f.Type, &name) == nil:
			w.Type = typeNumbers[strings.ToLower(name)]
		}
		if w.Type == 0 {
			t.Fatalf("fixture %s.%s: cannot read Type %s", jt.JobTypeName, f.Name, f.Type)
		}
		if len(f.DefaultValue) > 0 && string(f.DefaultValue) != "null" {
			var s string
			if json.Unmarshal(f.DefaultValue, &s) != nil {
				s = string(f.DefaultValue) // a number or boolean keeps its text
			}
			w.DefaultValue = &s
		}
		out = append(out, w)
	}
	return out
}

func TestJobTypes_List(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	list := listJobTypes(t, s, nil)
	fx := fixtureJobTypes(t)
	if len(list) != len(fx)+1 {
		t.Errorf("%d job types, want the %d fixture types and FetchLogs", len(list), len(fx))
	}
	t.Run("FetchLogs is built in", func(t *testing.T) {
		checkJobType(t, jobTypeByName(t, s, "FetchLogs"), "FetchLogs", []wantField{})
	})
	for _, jt := range fx {
		t.Run(jt.JobTypeName, func(t *testing.T) {
			id := checkJobType(t, jobTypeByName(t, s, jt.JobTypeName), jt.JobTypeName, fixtureFields(t, jt))
			if jt.Id != "" && id != strings.ToLower(jt.Id) {
				t.Errorf("Id = %s, want the fixture's %s", id, jt.Id)
			}
		})
	}
}

func TestJobTypes_Query(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	fetch := jobTypeByName(t, s, "FetchLogs")
	for _, tc := range []struct {
		params url.Values
		want   []string
	}{
		{q("QueryString", `JobTypeName -eq "reboothost"`), []string{"RebootHost"}},
		{q("pq.queryString", `JobTypeName -eq "FetchLogs"`), []string{"FetchLogs"}},
		{q("QueryString", `Id -eq "`+strings.ToUpper(fetch["Id"].(string))+`"`), []string{"FetchLogs"}},
		{q("QueryString", `JobTypeName -eq "NoSuchType"`), []string{}},
		{q("QueryString", `JobTypeName -startswith "Rebo" OR JobTypeName -eq "FlushDnsCache"`), []string{"FlushDnsCache", "RebootHost"}},
	} {
		t.Run(tc.params.Encode(), func(t *testing.T) {
			var got []string
			for _, m := range listJobTypes(t, s, tc.params) {
				got = append(got, m["JobTypeName"].(string))
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("a quote inside a string", func(t *testing.T) {
		r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"Quoted","Description":"Say \"hi\" twice"}`)
		wantJSON(t, r, http.StatusOK)
		list := listJobTypes(t, s, q("QueryString", `Description -contains "\"HI\""`))
		if len(list) != 1 || list[0]["JobTypeName"] != "Quoted" {
			t.Errorf("found %v, want only Quoted", list)
		}
	})
	t.Run("paging", func(t *testing.T) {
		all := listJobTypes(t, s, q("SortField", "JobTypeName"))
		p2 := listJobTypes(t, s, q("SortField", "JobTypeName", "PageReturned", "2", "ReturnLimit", "2"))
		if len(all) < 4 || len(p2) != 2 {
			t.Fatalf("%d job types, page 2 has %d; want at least 4 and 2", len(all), len(p2))
		}
		for i := range p2 {
			if p2[i]["Id"] != all[2+i]["Id"] {
				t.Errorf("page 2 item %d = %v, want %v", i, p2[i]["JobTypeName"], all[2+i]["JobTypeName"])
			}
		}
	})
	t.Run("descending by name", func(t *testing.T) {
		var got []string
		for _, m := range listJobTypes(t, s, q("SortField", "JobTypeName", "SortAscending", "1")) {
			got = append(got, strings.ToLower(m["JobTypeName"].(string)))
		}
		if !slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(b, a) }) {
			t.Errorf("names %q are not in descending order", got)
		}
	})
	t.Run("query error", func(t *testing.T) {
		r := s.get(t, withQuery(kf("/JobTypes/Custom"), q("QueryString", `Capabilities -contains "x"`)))
		wantError(t, r, http.StatusBadRequest, codeQuery, "position 1")
	})
	t.Run("unknown sort field", func(t *testing.T) {
		r := s.get(t, withQuery(kf("/JobTypes/Custom"), q("SortField", "Color")))
		wantError(t, r, http.StatusBadRequest, codeSortField, "Color")
	})
	t.Run("bad paging", func(t *testing.T) {
		r := s.get(t, withQuery(kf("/JobTypes/Custom"), q("ReturnLimit", "0")))
		wantError(t, r, http.StatusBadRequest, codePaging, "ReturnLimit")
	})
}

func TestJobTypes_Get(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, jt := range fixtureJobTypes(t) {
		if jt.Id == "" {
			continue
		}
		t.Run(jt.JobTypeName, func(t *testing.T) {
			r := s.get(t, kf("/JobTypes/Custom/"+jt.Id))
			wantJSON(t, r, http.StatusOK)
			checkJobType(t, decodeObject(t, r.Body), jt.JobTypeName, fixtureFields(t, jt))
		})
	}
	t.Run("FetchLogs by id", func(t *testing.T) {
		id := jobTypeByName(t, s, "FetchLogs")["Id"].(string)
		r := s.get(t, kf("/JobTypes/Custom/"+strings.ToUpper(id)))
		wantJSON(t, r, http.StatusOK)
		checkJobType(t, decodeObject(t, r.Body), "FetchLogs", []wantField{})
	})
	t.Run("unknown id", func(t *testing.T) {
		const id = "00000000-1111-2222-3333-444444444444"
		wantError(t, s.get(t, kf("/JobTypes/Custom/"+id)), http.StatusNotFound, codeNotFound, id)
	})
	t.Run("not a GUID", func(t *testing.T) {
		wantError(t, s.get(t, kf("/JobTypes/Custom/RebootHost")), http.StatusNotFound, codeNotFound)
	})
}

func TestJobTypes_Create(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	body := `{"JobTypeName":"CreateTest","Description":"made by a test","JobTypeFields":[
		{"Name":"Host","Type":1,"Required":true},
		{"Name":"Count","Type":"Int","DefaultValue":30,"Required":false},
		{"Name":"When","Type":"datetime","DefaultValue":"2027-01-01T00:00:00Z"},
		{"Name":"Force","Type":"Bool","DefaultValue":true,"Required":false},
		{"Name":"Off","Type":4,"DefaultValue":false},
		{"Name":"Note","Type":"String","DefaultValue":null},
		{"Name":"Digits","Type":1,"DefaultValue":42}]}`
	want := []wantField{
		{"Host", 1, nil, true},
		{"Count", 2, strp("30"), false},
		{"When", 3, strp("2027-01-01T00:00:00Z"), false},
		{"Force", 4, strp("true"), false},
		{"Off", 4, strp("false"), false},
		{"Note", 1, nil, false},
		{"Digits", 1, strp("42"), false},
	}
	r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), body)
	wantJSON(t, r, http.StatusOK)
	created := decodeObject(t, r.Body)
	id := checkJobType(t, created, "CreateTest", want)
	if created["Description"] != "made by a test" {
		t.Errorf("Description = %#v, want %q", created["Description"], "made by a test")
	}
	t.Run("GET by id returns it", func(t *testing.T) {
		r := s.get(t, kf("/JobTypes/Custom/"+id))
		wantJSON(t, r, http.StatusOK)
		checkJobType(t, decodeObject(t, r.Body), "CreateTest", want)
	})
	t.Run("it is listed", func(t *testing.T) {
		list := listJobTypes(t, s, q("QueryString", `JobTypeName -eq "CreateTest"`))
		if len(list) != 1 || list[0]["Id"] != id {
			t.Fatalf("query by name found %v, want the created type %s", list, id)
		}
	})
	t.Run("minimal body", func(t *testing.T) {
		r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"Minimal"}`)
		wantJSON(t, r, http.StatusOK)
		m := decodeObject(t, r.Body)
		checkJobType(t, m, "Minimal", []wantField{})
		if m["Description"] != nil {
			t.Errorf("Description = %#v, want null", m["Description"])
		}
	})
	t.Run("each create gets a new id", func(t *testing.T) {
		r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"Another"}`)
		wantJSON(t, r, http.StatusOK)
		if other := decodeObject(t, r.Body)["Id"]; other == id {
			t.Errorf("second job type got the same Id %v", other)
		}
	})
}

func TestJobTypes_CreateRejects(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, tc := range []struct {
		name   string
		body   string
		status int
		code   string
		parts  []string
	}{
		{"duplicate name", `{"JobTypeName":"RebootHost"}`, 400, codeDuplicate, []string{"RebootHost"}},
		{"duplicate name in another case", `{"JobTypeName":"reboothost"}`, 400, codeDuplicate, []string{"reboothost"}},
		{"duplicate of the built-in", `{"JobTypeName":"FETCHLOGS"}`, 400, codeDuplicate, []string{"FETCHLOGS"}},
		{"duplicate name with padding", `{"JobTypeName":" RebootHost "}`, 400, codeDuplicate, []string{"RebootHost"}},
		{"missing name", `{"Description":"x"}`, 400, codeValidation, []string{"JobTypeName"}},
		{"blank name", `{"JobTypeName":"   "}`, 400, codeValidation, []string{"JobTypeName"}},
		{"Int default not a number", `{"JobTypeName":"BadDefault","JobTypeFields":[{"Name":"Retries","Type":"Int","DefaultValue":"abc"}]}`, 400, codeValidation, []string{"Retries", "abc"}},
		{"Int default fractional", `{"JobTypeName":"BadDefault","JobTypeFields":[{"Name":"Retries","Type":2,"DefaultValue":1.5}]}`, 400, codeValidation, []string{"Retries"}},
		{"Bool default", `{"JobTypeName":"BadDefault","JobTypeFields":[{"Name":"Flag","Type":4,"DefaultValue":"maybe"}]}`, 400, codeValidation, []string{"Flag", "maybe"}},
		{"DateTime default", `{"JobTypeName":"BadDefault","JobTypeFields":[{"Name":"At","Type":"DateTime","DefaultValue":"not a date"}]}`, 400, codeValidation, []string{"At", "not a date"}},
		{"Type 9", `{"JobTypeName":"BadType","JobTypeFields":[{"Name":"X","Type":9}]}`, 400, codeValidation, []string{"X", "9"}},
		{"Type 0", `{"JobTypeName":"BadType","JobTypeFields":[{"Name":"X","Type":0}]}`, 400, codeValidation, []string{"X"}},
		{"Type missing", `{"JobTypeName":"BadType","JobTypeFields":[{"Name":"X"}]}`, 400, codeValidation, []string{"X", "Type"}},
		{"field without a name", `{"JobTypeName":"NoFieldName","JobTypeFields":[{"Type":1}]}`, 400, codeValidation, []string{"Name"}},
		{"field names differ only in case", `{"JobTypeName":"DupField","JobTypeFields":[{"Name":"Host","Type":1},{"Name":"HOST","Type":1}]}`, 400, codeValidation, []string{"HOST"}},
		{"malformed JSON", `{"JobTypeName":`, 400, codeMalformed, nil},
		{"not JSON", `JobTypeName=X`, 400, codeMalformed, nil},
		{"empty body", ``, 400, codeMalformed, nil},
		{"array body", `[]`, 400, codeMalformed, nil},
		{"name is a number", `{"JobTypeName":5}`, 400, codeMalformed, []string{"JobTypeName"}},
		{"fields is an object", `{"JobTypeName":"X","JobTypeFields":{"Name":"Host"}}`, 400, codeMalformed, []string{"JobTypeFields"}},
		{"Required is a string", `{"JobTypeName":"X","JobTypeFields":[{"Name":"Host","Type":1,"Required":"yes"}]}`, 400, codeMalformed, []string{"Required"}},
		{"unknown member", `{"JobTypeName":"X","Color":"red"}`, 400, codeMalformed, []string{"Color"}},
		{"unknown field member", `{"JobTypeName":"X","JobTypeFields":[{"Name":"Host","Type":1,"Color":"red"}]}`, 400, codeMalformed, []string{"Color"}},
		{"trailing data", `{"JobTypeName":"X"}{}`, 400, codeMalformed, nil},
		{"Type name unknown", `{"JobTypeName":"X","JobTypeFields":[{"Name":"Host","Type":"Float"}]}`, 400, codeMalformed, []string{"Float"}},
		{"DefaultValue an object", `{"JobTypeName":"X","JobTypeFields":[{"Name":"Host","Type":1,"DefaultValue":{}}]}`, 400, codeMalformed, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := countJobTypes(t, s)
			r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), tc.body)
			wantError(t, r, tc.status, tc.code, tc.parts...)
			if after := countJobTypes(t, s); after != before {
				t.Errorf("job types: %d after a rejected POST, want %d", after, before)
			}
		})
	}
}

func TestJobTypes_DuplicateNamesBeyondASCII(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	wantJSON(t, s.do(t, http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"Zürich"}`), http.StatusOK)
	before := countJobTypes(t, s)
	r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"ZÜRICH"}`)
	wantError(t, r, http.StatusBadRequest, codeDuplicate, "ZÜRICH")
	if after := countJobTypes(t, s); after != before {
		t.Errorf("job types: %d after a duplicate POST, want %d", after, before)
	}
}

func TestJobTypes_Update(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"Before","JobTypeFields":[{"Name":"A","Type":1}]}`)
	wantJSON(t, r, http.StatusOK)
	id := decodeObject(t, r.Body)["Id"].(string)

	put := `{"Id":"` + strings.ToUpper(id) + `","JobTypeName":"After","Description":"updated","JobTypeFields":[
		{"Name":"B","Type":"Int","DefaultValue":7,"Required":true}]}`
	r = s.do(t, http.MethodPut, kf("/JobTypes/Custom"), put)
	wantJSON(t, r, http.StatusOK)
	want := []wantField{{"B", 2, strp("7"), true}}
	m := decodeObject(t, r.Body)
	if got := checkJobType(t, m, "After", want); got != id {
		t.Errorf("Id = %s after PUT, want the same %s", got, id)
	}
	if m["Description"] != "updated" {
		t.Errorf("Description = %#v, want updated", m["Description"])
	}
	t.Run("GET shows the update", func(t *testing.T) {
		r := s.get(t, kf("/JobTypes/Custom/"+id))
		wantJSON(t, r, http.StatusOK)
		checkJobType(t, decodeObject(t, r.Body), "After", want)
		if n := len(listJobTypes(t, s, q("QueryString", `JobTypeName -eq "Before"`))); n != 0 {
			t.Errorf("the old name still lists %d types", n)
		}
	})
	t.Run("renaming to its own name in another case", func(t *testing.T) {
		r := s.do(t, http.MethodPut, kf("/JobTypes/Custom"), `{"Id":"`+id+`","JobTypeName":"AFTER"}`)
		wantJSON(t, r, http.StatusOK)
		checkJobType(t, decodeObject(t, r.Body), "AFTER", []wantField{})
	})

	fetchID := jobTypeByName(t, s, "FetchLogs")["Id"].(string)
	for _, tc := range []struct {
		name   string
		body   string
		status int
		code   string
		parts  []string
	}{
		{"unknown id", `{"Id":"00000000-1111-2222-3333-444444444444","JobTypeName":"X"}`, 404, codeNotFound, []string{"00000000-1111-2222-3333-444444444444"}},
		{"missing id", `{"JobTypeName":"X"}`, 400, codeValidation, []string{"Id"}},
		{"id not a GUID", `{"Id":"abc","JobTypeName":"X"}`, 400, codeValidation, []string{"abc"}},
		{"name taken", `{"Id":"` + id + `","JobTypeName":"reboothost"}`, 400, codeDuplicate, []string{"reboothost"}},
		{"FetchLogs is built in", `{"Id":"` + fetchID + `","JobTypeName":"FetchLogs","Description":"changed"}`, 400, codeValidation, []string{"FetchLogs"}},
		{"bad default", `{"Id":"` + id + `","JobTypeName":"After","JobTypeFields":[{"Name":"N","Type":2,"DefaultValue":"abc"}]}`, 400, codeValidation, []string{"N"}},
		{"unknown member", `{"Id":"` + id + `","JobTypeName":"After","Extra":1}`, 400, codeMalformed, []string{"Extra"}},
		{"malformed", `{"Id":`, 400, codeMalformed, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.get(t, kf("/JobTypes/Custom/"+id)).Body
			r := s.do(t, http.MethodPut, kf("/JobTypes/Custom"), tc.body)
			wantError(t, r, tc.status, tc.code, tc.parts...)
			if after := s.get(t, kf("/JobTypes/Custom/"+id)).Body; string(after) != string(before) {
				t.Errorf("job type changed by a rejected PUT:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	t.Run("FetchLogs unchanged", func(t *testing.T) {
		checkJobType(t, jobTypeByName(t, s, "FetchLogs"), "FetchLogs", []wantField{})
	})
	t.Run("PUT with the id in the path is not a route", func(t *testing.T) {
		r := s.do(t, http.MethodPut, kf("/JobTypes/Custom/"+id), `{"Id":"`+id+`","JobTypeName":"X"}`)
		wantError(t, r, http.StatusMethodNotAllowed, codeMethod)
	})
}

func TestJobTypes_Delete(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"Doomed"}`)
	wantJSON(t, r, http.StatusOK)
	id := decodeObject(t, r.Body)["Id"].(string)
	before := countJobTypes(t, s)

	r = s.do(t, http.MethodDelete, kf("/JobTypes/Custom/"+id), nil)
	if r.Status != http.StatusNoContent {
		t.Fatalf("DELETE status = %d, want 204; body %s", r.Status, r.Body)
	}
	if len(r.Body) != 0 {
		t.Errorf("204 body = %q, want none", r.Body)
	}
	wantProductVersion(t, r)
	if after := countJobTypes(t, s); after != before-1 {
		t.Errorf("%d job types after DELETE, want %d", after, before-1)
	}
	wantError(t, s.get(t, kf("/JobTypes/Custom/"+id)), http.StatusNotFound, codeNotFound)
	t.Run("again is 404", func(t *testing.T) {
		wantError(t, s.do(t, http.MethodDelete, kf("/JobTypes/Custom/"+id), nil), http.StatusNotFound, codeNotFound)
	})
	t.Run("name is free again", func(t *testing.T) {
		wantJSON(t, s.do(t, http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"doomed"}`), http.StatusOK)
	})
	t.Run("not a GUID", func(t *testing.T) {
		wantError(t, s.do(t, http.MethodDelete, kf("/JobTypes/Custom/abc"), nil), http.StatusNotFound, codeNotFound)
	})
	t.Run("FetchLogs cannot be deleted", func(t *testing.T) {
		fetchID := jobTypeByName(t, s, "FetchLogs")["Id"].(string)
		n := countJobTypes(t, s)
		wantError(t, s.do(t, http.MethodDelete, kf("/JobTypes/Custom/"+fetchID), nil), http.StatusBadRequest, codeValidation, "FetchLogs")
		if got := countJobTypes(t, s); got != n {
			t.Errorf("%d job types after a rejected DELETE, want %d", got, n)
		}
		checkJobType(t, jobTypeByName(t, s, "FetchLogs"), "FetchLogs", []wantField{})
	})
}
