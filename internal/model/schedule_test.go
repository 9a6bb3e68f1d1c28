package model_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mockcommand/mockcommand/internal/model"
)

func TestNormalizeSchedule(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: ``, want: `{"Immediate":true}`},
		{in: `{"Immediate":true}`, want: `{"Immediate":true}`},
		{in: `{"Immediate":false,"Interval":{"Minutes":15}}`, want: `{"Interval":{"Minutes":15}}`},
		{in: `{"Daily":{"Time":"2026-12-01T23:30:00Z"}}`, want: `{"Daily":{"Time":"2026-12-01T23:30:00.000Z"}}`},
		{in: `{"Weekly":{"Days":[5,1,"Monday"],"Time":"2026-12-01T06:00:00+01:00"}}`, want: `{"Weekly":{"Days":[1,5],"Time":"2026-12-01T05:00:00.000Z"}}`},
		{in: `{"Monthly":{"Day":31,"Time":"2026-12-01T02:00:00Z"}}`, want: `{"Monthly":{"Day":31,"Time":"2026-12-01T02:00:00.000Z"}}`},
		{in: `{"ExactlyOnce":{"Time":"2026-12-20T12:00:00.123Z"}}`, want: `{"ExactlyOnce":{"Time":"2026-12-20T12:00:00.123Z"}}`},
		{in: `{}`, err: "it sets none"},
		{in: `{"Immediate":false}`, err: "it sets none"},
		{in: `{"Immediate":true,"Interval":{"Minutes":5}}`, err: "it sets Immediate and Interval"},
		{in: `{"Interval":{"Minutes":0}}`, err: "Interval.Minutes must be from 1 to 52560000 (100 years; got 0)"},
		{in: `{"Interval":{}}`, err: "Interval.Minutes must be from 1 to"},
		{in: `{"Interval":{"Minutes":2147483647}}`, err: "must be from 1 to 52560000 (100 years; got 2147483647)"},
		{in: `{"Daily":{}}`, err: "Schedule.Daily.Time is required."},
		{in: `{"Weekly":{"Days":[],"Time":"2026-12-01T06:00:00Z"}}`, err: "Weekly.Days must name at least one day"},
		{in: `{"Weekly":{"Days":[7],"Time":"2026-12-01T06:00:00Z"}}`, err: "7 is not a day of the week"},
		{in: `{"Weekly":{"Days":[1]}}`, err: "Weekly.Time is required"},
		{in: `{"Monthly":{"Day":32,"Time":"2026-12-01T02:00:00Z"}}`, err: "Monthly.Day must be from 1 to 31 (got 32)"},
		{in: `{"Monthly":{"Day":0,"Time":"2026-12-01T02:00:00Z"}}`, err: "Monthly.Day must be from 1 to 31 (got 0)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var in *model.Schedule
			if tt.in != "" {
				in = new(model.Schedule)
				if err := model.DecodeJSON([]byte(tt.in), in); err != nil {
					t.Fatal(err)
				}
			}
			got, err := model.NormalizeSchedule(in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || model.KindOf(err) != model.Invalid {
					t.Fatalf("err = %v, want Invalid containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got)
			if string(b) != tt.want {
				t.Errorf("schedule = %s, want %s", b, tt.want)
			}
		})
	}
}

func TestCheckValue(t *testing.T) {
	tests := []struct {
		typ       model.DataType
		in, out   string
		wantError bool
	}{
		{model.TypeInt, " 42 ", "42", false},
		{model.TypeInt, "-2147483648", "-2147483648", false},
		{model.TypeInt, "2147483648", "", true},
		{model.TypeInt, "4.2", "", true},
		{model.TypeBool, "TRUE", "true", false},
		{model.TypeBool, "False", "false", false},
		{model.TypeBool, "yes", "", true},
		{model.TypeDateTime, "2025-01-01T08:10:55", "2025-01-01T08:10:55", false},
		{model.TypeDateTime, "2025-01-01", "2025-01-01", false},
		{model.TypeDateTime, "01/02/2025", "", true},
		{model.TypeString, " any thing ", " any thing ", false},
		{model.TypeOther, "anything", "anything", false},
	}
	for _, tt := range tests {
		got, err := tt.typ.CheckValue(tt.in)
		if (err != nil) != tt.wantError || got != tt.out {
			t.Errorf("%v.CheckValue(%q) = %q, %v; want %q, error %v", tt.typ, tt.in, got, err, tt.out, tt.wantError)
		}
	}
}
