package query

import (
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics, that its errors are *Error
// values positioned inside the input, that every accepted query prints as
// canonical source that reparses to the identical string, and that Check
// against the test schema never panics and agrees with the canonical form.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.input)
	}
	for _, tt := range checkTests {
		f.Add(tt.input)
	}
	f.Fuzz(func(t *testing.T, input string) {
		n, err := Parse(input)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) error %T %v is not *Error", input, err, err)
			}
			if qe.Pos < 1 || qe.Pos > len(input)+1 {
				t.Fatalf("Parse(%q) error position %d outside [1, %d]: %v", input, qe.Pos, len(input)+1, err)
			}
			if n != nil {
				t.Fatalf("Parse(%q) returned a node and an error", input)
			}
			return
		}
		if n == nil {
			return
		}
		s1 := n.String()
		n2, err := Parse(s1)
		if err != nil {
			t.Fatalf("Parse(%q) printed %q, which does not reparse: %v", input, s1, err)
		}
		if s2 := n2.String(); s2 != s1 {
			t.Fatalf("Parse(%q): canonical form is not stable\nfirst:  %s\nsecond: %s", input, s1, s2)
		}

		e1, err1 := Check(n, testSchema, testNow)
		e2, err2 := Check(n2, testSchema, testNow)
		if err1 != nil {
			var qe *Error
			if !errors.As(err1, &qe) {
				t.Fatalf("Check(%q) error %T %v is not *Error", input, err1, err1)
			}
			if qe.Pos < 1 || qe.Pos > len(input)+1 {
				t.Fatalf("Check(%q) error position %d outside [1, %d]: %v", input, qe.Pos, len(input)+1, err1)
			}
			if e1 != nil {
				t.Fatalf("Check(%q) returned an Expr and an error", input)
			}
		}
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("Check disagrees between %q (%v) and its canonical form %q (%v)", input, err1, s1, err2)
		}
		if err1 == nil {
			if g1, g2 := exprString(e1), exprString(e2); g1 != g2 {
				t.Fatalf("Check of %q gives %s but its canonical form %q gives %s", input, g1, s1, g2)
			}
		}
	})
}
