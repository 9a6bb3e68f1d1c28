package model_test

import (
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mt(s string) model.Time { return model.NewTime(at(s)) }

func TestScheduleRuns(t *testing.T) {
	now := at("2026-11-28T12:00:00Z") // a Saturday
	tests := []struct {
		name  string
		s     model.Schedule
		first string
		next  string // NextRun(first, now+1h); "" for one-shot schedules
	}{
		{"immediate", model.ImmediateSchedule(), "2026-11-28T12:00:00Z", ""},
		{"exactly once in the future", model.Schedule{ExactlyOnce: &model.TimeModel{Time: mt("2026-12-24T18:00:00Z")}}, "2026-12-24T18:00:00Z", ""},
		{"exactly once in the past is due now-ish", model.Schedule{ExactlyOnce: &model.TimeModel{Time: mt("2026-01-01T00:00:00Z")}}, "2026-01-01T00:00:00Z", ""},
		{"interval", model.Schedule{Interval: &model.IntervalModel{Minutes: 25}}, "2026-11-28T12:00:00Z", "2026-11-28T13:15:00Z"},
		{"daily later today", model.Schedule{Daily: &model.TimeModel{Time: mt("2026-01-01T23:30:00Z")}}, "2026-11-28T23:30:00Z", "2026-11-29T23:30:00Z"},
		{"daily already passed today", model.Schedule{Daily: &model.TimeModel{Time: mt("2026-01-01T06:00:00Z")}}, "2026-11-29T06:00:00Z", "2026-11-30T06:00:00Z"},
		{"daily starting next week", model.Schedule{Daily: &model.TimeModel{Time: mt("2026-12-05T06:00:00Z")}}, "2026-12-05T06:00:00Z", "2026-12-06T06:00:00Z"},
		{"weekly mon and wed", model.Schedule{Weekly: &model.WeeklyModel{Days: []model.Weekday{1, 3}, Time: mt("2026-01-01T06:00:00Z")}}, "2026-11-30T06:00:00Z", "2026-12-02T06:00:00Z"},
		{"weekly today, not yet", model.Schedule{Weekly: &model.WeeklyModel{Days: []model.Weekday{6}, Time: mt("2026-01-01T13:00:00Z")}}, "2026-11-28T13:00:00Z", "2026-12-05T13:00:00Z"},
		{"monthly 31st clamps to 30 Nov", model.Schedule{Monthly: &model.MonthlyModel{Day: 31, Time: mt("2026-01-01T02:00:00Z")}}, "2026-11-30T02:00:00Z", "2026-12-31T02:00:00Z"},
		{"monthly 1st", model.Schedule{Monthly: &model.MonthlyModel{Day: 1, Time: mt("2026-01-01T02:00:00Z")}}, "2026-12-01T02:00:00Z", "2027-01-01T02:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := tt.s.FirstRun(now)
			if !first.Equal(at(tt.first)) {
				t.Errorf("FirstRun = %s, want %s", first.Format(time.RFC3339), tt.first)
			}
			next, ok := tt.s.NextRun(first, now.Add(time.Hour))
			if tt.next == "" {
				if ok || tt.s.Recurring() {
					t.Errorf("one-shot schedule: NextRun ok=%v, Recurring=%v", ok, tt.s.Recurring())
				}
				return
			}
			if !ok || !next.Equal(at(tt.next)) {
				t.Errorf("NextRun = %s (ok %v), want %s", next.Format(time.RFC3339), ok, tt.next)
			}
		})
	}
}

func TestNextRun_SkipsMissedRuns(t *testing.T) {
	s := model.Schedule{Interval: &model.IntervalModel{Minutes: 10}}
	prev := at("2026-11-28T12:00:00Z")
	next, _ := s.NextRun(prev, at("2026-11-29T12:05:00Z")) // a day later
	if want := at("2026-11-29T12:10:00Z"); !next.Equal(want) {
		t.Errorf("NextRun after a jump = %s, want %s (one run, on the interval grid)", next, want)
	}
}
