package model_test

import (
	"strings"
	"testing"

	"github.com/mockcommand/mockcommand/internal/model"
)

type request struct {
	AgentId  string
	Count    int32
	Schedule *model.Schedule
	Fields   []model.JobTypeField
}

func TestDecodeJSON_Messages(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty", "  ", "A JSON body is required."},
		{"syntax", `{"AgentId": "x",}`, "Malformed JSON at line 1, column 17: invalid character '}' looking for beginning of object key string."},
		{"syntax on line 2", "{\n \"AgentId\" 1}", "Malformed JSON at line 2, column 12: invalid character '1' after object key."},
		{"truncated", `{"AgentId": "x"`, "Malformed JSON: the body ends before the JSON value is complete."},
		{"wrong type", `{"AgentId": 5}`, "AgentId: expected a string, found a number."},
		{"int overflow", `{"Count": 99999999999}`, "Count: expected a whole number (32-bit), found the number 99999999999."},
		{"fraction", `{"Count": 1.5}`, "Count: expected a whole number (32-bit), found the number 1.5."},
		{"nested path", `{"Schedule": {"Interval": {"Minutes": "ten"}}}`, "Schedule.Interval.Minutes: expected a whole number (32-bit), found a string."},
		{"array for object", `{"Schedule": []}`, "Schedule: expected an object, found an array."},
		{"unknown member", `{"AgentID2": "x"}`, `Unknown member "AgentID2": it is not part of this request's schema.`},
		{"nested unknown member", `{"Schedule": {"Off": true}}`, `Unknown member "Off"`},
		{"trailing data", `{"AgentId": "x"} {}`, "Malformed JSON: unexpected data after the JSON value at line 1, column 18."},
		{"not an object", `[1]`, "The body: expected an object, found an array."},
		{"bad custom value", `{"Fields": [{"Name": "a", "Type": "Colour"}]}`, `"Colour" is not a field type`},
		{"bad date", `{"Schedule": {"ExactlyOnce": {"Time": "soon"}}}`, `"soon" is not an ISO 8601 date-time`},
		{"bad weekday", `{"Schedule": {"Weekly": {"Days": ["Funday"]}}}`, `"Funday" is not a day of the week`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v request
			err := model.DecodeJSON([]byte(tt.body), &v)
			if err == nil {
				t.Fatalf("DecodeJSON(%s) succeeded", tt.body)
			}
			if model.KindOf(err) != model.Malformed {
				t.Errorf("kind = %v, want Malformed", model.KindOf(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "Go ") || strings.Contains(err.Error(), "model.") || strings.Contains(err.Error(), "json:") {
				t.Errorf("error %q leaks Go type names", err)
			}
		})
	}
}

func TestDecodeJSON_LenientValues(t *testing.T) {
	var v request
	body := `{"AgentId":"x","Fields":[
		{"Name":"a","Type":"int","DefaultValue":42},
		{"Name":"b","Type":4,"DefaultValue":true},
		{"Name":"c","Type":"DateTime","DefaultValue":null},
		{"Name":"d","Type":"String","DefaultValue":"1.50"},
		{"Name":"e","Type":1,"DefaultValue":1.50}],
		"Schedule":{"Weekly":{"Days":["monday",3,"SATURDAY"],"Time":"2026-12-01T06:00:00"}}}`
	if err := model.DecodeJSON([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		typ model.DataType
		def model.Scalar
	}{
		{model.TypeInt, model.S("42")}, {model.TypeBool, model.S("true")}, {model.TypeDateTime, model.Scalar{}},
		{model.TypeString, model.S("1.50")}, {model.TypeString, model.S("1.50")},
	}
	for i, w := range want {
		if f := v.Fields[i]; f.Type != w.typ || f.DefaultValue != w.def {
			t.Errorf("field %d: Type %v Default %+v, want %v %+v", i, f.Type, f.DefaultValue, w.typ, w.def)
		}
	}
	if got := v.Schedule.Weekly.Days; len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 6 {
		t.Errorf("Days = %v, want [1 3 6]", got)
	}
	if got := v.Schedule.Weekly.Time.String(); got != "2026-12-01T06:00:00.000Z" {
		t.Errorf("Time without a zone = %s, want it read as UTC", got)
	}
}

func TestDecodeJSON_UTF8(t *testing.T) {
	var v request
	err := model.DecodeJSON([]byte("{\"AgentId\": \"web\xc3\x28\"}"), &v)
	if err == nil || !strings.Contains(err.Error(), "line 1, column 17: the body is not valid UTF-8") || model.KindOf(err) != model.Malformed {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if err := model.DecodeJSON([]byte("\xef\xbb\xbf{\"AgentId\": \"x\"}"), &v); err != nil || v.AgentId != "x" {
		t.Errorf("a leading byte-order mark: %v %+v", err, v)
	}
}
