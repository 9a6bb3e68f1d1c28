package model

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Scalar is a string-valued member that clients may send as any JSON scalar:
// Command stores job-field values and field defaults as strings, but real
// clients post numbers and booleans too. A JSON null (or absence) leaves it
// unset. It always encodes as a JSON string, or null when unset.
type Scalar struct {
	Value string
	Set   bool
}

// S returns a set Scalar holding v.
func S(v string) Scalar { return Scalar{Value: v, Set: true} }

// MarshalJSON writes a string or null.
func (s Scalar) MarshalJSON() ([]byte, error) {
	if !s.Set {
		return []byte("null"), nil
	}
	return json.Marshal(s.Value)
}

// UnmarshalJSON accepts a string, number, boolean or null. Numbers keep their
// literal text ("1.50" stays "1.50"); booleans become "true" or "false".
func (s *Scalar) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = Scalar{}
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = S(v)
	case bytes.Equal(b, []byte("true")), bytes.Equal(b, []byte("false")):
		*s = S(string(b))
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*s = S(n.String())
	default:
		return fmt.Errorf("expected a string, number or boolean")
	}
	return nil
}

// Deref returns *s, or "" when s is nil.
func Deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
