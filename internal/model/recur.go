package model

import (
	"slices"
	"time"
)

// Recurring reports whether the schedule runs more than once.
func (s Schedule) Recurring() bool {
	return s.Interval != nil || s.Daily != nil || s.Weekly != nil || s.Monthly != nil
}

// FirstRun is when a job with this schedule, scheduled at now, first falls
// due. Immediate and Interval jobs are due at once; ExactlyOnce at its Time
// (at once if that has passed); Daily, Weekly and Monthly at their first
// occurrence at or after both now and their Time (Command documents Time as
// the date and time of the next run; its time of day drives recurrence).
func (s Schedule) FirstRun(now time.Time) time.Time {
	now = now.UTC()
	switch {
	case s.ExactlyOnce != nil:
		return s.ExactlyOnce.Time.UTC()
	case s.Daily != nil, s.Weekly != nil, s.Monthly != nil:
		from := now
		if t := s.clockTime(); t.After(from) {
			from = t
		}
		return s.occurrence(from, false)
	}
	return now
}

// NextRun is the first run of a recurring schedule strictly after now,
// given the due time of the run just finished; ok is false for one-shot
// schedules. Runs missed while the clock jumped ahead are skipped, as an
// orchestrator that was offline would skip them.
func (s Schedule) NextRun(prev, now time.Time) (next time.Time, ok bool) {
	prev, now = prev.UTC(), now.UTC()
	switch {
	case s.Interval != nil:
		step := time.Duration(s.Interval.Minutes) * time.Minute
		k := int64(1)
		if now.After(prev) {
			k = int64(now.Sub(prev)/step) + 1
		}
		return prev.Add(time.Duration(k) * step), true
	case s.Daily != nil, s.Weekly != nil, s.Monthly != nil:
		from := now
		if prev.After(from) {
			from = prev
		}
		return s.occurrence(from, true), true
	}
	return time.Time{}, false
}

func (s Schedule) clockTime() time.Time {
	switch {
	case s.Daily != nil:
		return s.Daily.Time.UTC()
	case s.Weekly != nil:
		return s.Weekly.Time.UTC()
	case s.Monthly != nil:
		return s.Monthly.Time.UTC()
	}
	return time.Time{}
}

// occurrence finds the first calendar occurrence at (or, when strict,
// after) from: the schedule's time of day, on any day (Daily), on one of
// Days (Weekly) or on Day of the month, clamped to the month's last day
// (Monthly).
func (s Schedule) occurrence(from time.Time, strict bool) time.Time {
	tod := s.clockTime()
	day := time.Date(from.Year(), from.Month(), from.Day(), tod.Hour(), tod.Minute(), tod.Second(), tod.Nanosecond(), time.UTC)
	for range 400 {
		if (day.After(from) || (!strict && day.Equal(from))) && s.matchesDay(day) {
			return day
		}
		day = day.AddDate(0, 0, 1)
	}
	return day // unreachable for valid schedules: every schedule matches within 31 days
}

func (s Schedule) matchesDay(d time.Time) bool {
	switch {
	case s.Weekly != nil:
		return slices.Contains(s.Weekly.Days, Weekday(d.Weekday()))
	case s.Monthly != nil:
		last := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		return d.Day() == min(int(s.Monthly.Day), last)
	}
	return true
}
