package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Schedule is Command's KeyfactorSchedule: exactly one member is set.
// Unset members are omitted when encoding, so an immediate job reads back as
// {"Immediate":true}.
type Schedule struct {
	Immediate   *bool          `json:",omitempty"`
	Interval    *IntervalModel `json:",omitempty"`
	Daily       *TimeModel     `json:",omitempty"`
	Weekly      *WeeklyModel   `json:",omitempty"`
	Monthly     *MonthlyModel  `json:",omitempty"`
	ExactlyOnce *TimeModel     `json:",omitempty"`
}

// IntervalModel repeats a job every Minutes minutes.
type IntervalModel struct{ Minutes int32 }

// TimeModel runs a job at Time (daily: at its time of day).
type TimeModel struct{ Time Time }

// WeeklyModel runs a job on Days (0 Sunday … 6 Saturday) at Time's time of day.
type WeeklyModel struct {
	Days []Weekday
	Time Time
}

// MonthlyModel runs a job on day Day of each month at Time's time of day.
type MonthlyModel struct {
	Day  int32
	Time Time
}

// Weekday is a System.DayOfWeek value, 0 (Sunday) to 6 (Saturday). It
// decodes from the number or the English day name, as Command's
// deserializer does; it always encodes as the number.
type Weekday int

// UnmarshalJSON accepts 0–6 or a day name such as "Monday" (case-insensitive).
func (d *Weekday) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		for i := time.Sunday; i <= time.Saturday; i++ {
			if strings.EqualFold(s, i.String()) {
				*d = Weekday(i)
				return nil
			}
		}
		return fmt.Errorf("%q is not a day of the week", s)
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("expected a day number 0-6 or a day name")
	}
	*d = Weekday(n)
	return nil
}

// maxIntervalMinutes is the longest interval accepted: 100 years.
const maxIntervalMinutes = 100 * 365 * 24 * 60

// ImmediateSchedule is the schedule of a job posted without one.
func ImmediateSchedule() Schedule {
	t := true
	return Schedule{Immediate: &t}
}

// IsEmpty reports whether no schedule type is set ("Immediate": false
// counts as not set): an inventory schedule like that is no schedule.
func (s Schedule) IsEmpty() bool {
	return (s.Immediate == nil || !*s.Immediate) && s.Type() == ""
}

// Type is the compact schedule type Command uses in job history queries:
// "" for Immediate, "I" interval, "D" daily, "W" weekly, "M" monthly, "O" once.
func (s Schedule) Type() string {
	switch {
	case s.Interval != nil:
		return "I"
	case s.Daily != nil:
		return "D"
	case s.Weekly != nil:
		return "W"
	case s.Monthly != nil:
		return "M"
	case s.ExactlyOnce != nil:
		return "O"
	}
	return ""
}

// NormalizeSchedule checks that exactly one schedule type is set with valid values
// and returns the schedule in its canonical form (days sorted and unique).
// A nil schedule means Immediate. "Immediate": false counts as not set.
func NormalizeSchedule(s *Schedule) (Schedule, error) {
	if s == nil {
		return ImmediateSchedule(), nil
	}
	out := *s
	var set []string
	if s.Immediate != nil && *s.Immediate {
		set = append(set, "Immediate")
	} else {
		out.Immediate = nil
	}
	if s.Interval != nil {
		set = append(set, "Interval")
		if s.Interval.Minutes <= 0 || s.Interval.Minutes > maxIntervalMinutes {
			return Schedule{}, Errorf(Invalid, "Schedule.Interval.Minutes must be from 1 to %d (100 years; got %d).", maxIntervalMinutes, s.Interval.Minutes)
		}
	}
	for _, m := range []struct {
		name string
		t    *TimeModel
	}{{"Daily", s.Daily}, {"ExactlyOnce", s.ExactlyOnce}} {
		if m.t == nil {
			continue
		}
		set = append(set, m.name)
		if m.t.Time.IsZero() {
			return Schedule{}, Errorf(Invalid, "Schedule.%s.Time is required.", m.name)
		}
	}
	if s.Weekly != nil {
		set = append(set, "Weekly")
		if len(s.Weekly.Days) == 0 {
			return Schedule{}, Errorf(Invalid, "Schedule.Weekly.Days must name at least one day (0 Sunday to 6 Saturday).")
		}
		days := slices.Clone(s.Weekly.Days)
		for _, d := range days {
			if d < 0 || d > 6 {
				return Schedule{}, Errorf(Invalid, "Schedule.Weekly.Days: %d is not a day of the week (0 Sunday to 6 Saturday).", d)
			}
		}
		slices.Sort(days)
		out.Weekly = &WeeklyModel{Days: slices.Compact(days), Time: s.Weekly.Time}
		if s.Weekly.Time.IsZero() {
			return Schedule{}, Errorf(Invalid, "Schedule.Weekly.Time is required.")
		}
	}
	if s.Monthly != nil {
		set = append(set, "Monthly")
		if s.Monthly.Day < 1 || s.Monthly.Day > 31 {
			return Schedule{}, Errorf(Invalid, "Schedule.Monthly.Day must be from 1 to 31 (got %d).", s.Monthly.Day)
		}
		if s.Monthly.Time.IsZero() {
			return Schedule{}, Errorf(Invalid, "Schedule.Monthly.Time is required.")
		}
	}
	switch len(set) {
	case 1:
		return out, nil
	case 0:
		return Schedule{}, Errorf(Invalid, "Schedule must set exactly one of Immediate, Interval, Daily, Weekly, Monthly or ExactlyOnce; it sets none.")
	}
	return Schedule{}, Errorf(Invalid, "Schedule must set exactly one of Immediate, Interval, Daily, Weekly, Monthly or ExactlyOnce; it sets %s.", strings.Join(set, " and "))
}
