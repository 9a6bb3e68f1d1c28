package query

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Error is a syntax or type error in a query. Every error returned by
// [Parse], [Check] and [Compile] has this type; use errors.As to get at it.
type Error struct {
	// Pos is the 1-based byte column in the input of the token the error
	// is about. For errors at the end of the input it is len(input)+1.
	Pos int
	// Msg describes what was expected and what was found.
	Msg string
}

// Error returns the message prefixed with the position, for example
// `position 8: expected a value after -eq, found end of input`.
func (e *Error) Error() string {
	return fmt.Sprintf("position %d: %s", e.Pos, e.Msg)
}

// errorf returns an *Error at pos with a formatted message.
func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// maxQuoted is the longest text, in bytes, that quote reproduces in full.
const maxQuoted = 40

// quote returns s as a Go-quoted string for use in messages, shortened with
// "..." when it is longer than maxQuoted bytes.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut] + "...")
}
