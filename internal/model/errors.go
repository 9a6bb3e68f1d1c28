package model

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the HTTP layer, which maps each kind to a
// status code and a Command error code.
type Kind int

// The error kinds.
const (
	Internal     Kind = iota // unexpected; never shown to clients in detail
	Invalid                  // the request is wrong: 400
	NotFound                 // an id in the path does not exist: 404
	Conflict                 // the request clashes with existing state (duplicate name): 400 in Command
	InvalidSort              // unknown sort field: 400 with its own error code
	InvalidQuery             // a query-language error: 400 with its own error code
	Malformed                // the body is not valid JSON of the right shape: 400
	Unavailable              // the mock's own files or state stop it (fixtures that no longer load): 500, with the message
)

// Error is an error with a kind and a message fit for a client.
type Error struct {
	Kind    Kind
	Message string
}

// Error returns the message, which is what the client reads.
func (e *Error) Error() string { return e.Message }

// Errorf builds an *Error of the given kind.
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// KindOf reports the kind of err: the kind of the first *Error in its chain,
// or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}
