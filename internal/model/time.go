package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// TimeLayout is how the mock writes every timestamp: RFC 3339 in UTC with
// millisecond precision and a Z suffix. Fixed width, so stored values sort
// chronologically as text, and every generated Keyfactor SDK can parse it.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Time is a UTC instant that encodes with TimeLayout and decodes leniently
// (see ParseTime).
type Time struct{ time.Time }

// MaxTime is the latest instant the mock stores: TimeLayout has four year
// digits, and stored times must keep one width to sort as text.
var MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999_000_000, time.UTC)

// InRange reports whether t can be stored (years 1 to 9999).
func InRange(t time.Time) bool { return t.Year() >= 1 && !t.After(MaxTime) }

// NewTime truncates t to milliseconds in UTC.
func NewTime(t time.Time) Time { return Time{t.UTC().Truncate(time.Millisecond)} }

// String formats the time with TimeLayout.
func (t Time) String() string { return t.UTC().Format(TimeLayout) }

// MarshalJSON writes the time as a TimeLayout string.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.String() + `"`), nil
}

// UnmarshalJSON accepts any form ParseTime accepts.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("expected a date-time string")
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t = NewTime(v)
	return nil
}

// timeLayouts are the ISO 8601 forms accepted on input, most specific first.
// A form without a zone is read as UTC, which is what Command documents.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// ParseTime reads an ISO 8601 date or date-time. Values without a zone are UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date-time (for example 2025-03-14T09:30:00Z)", s)
}
