package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenType identifies the kind of a lexical token.
type tokenType int

const (
	tokError      tokenType = iota // lexical error; val holds the message
	tokEOF                         // end of input
	tokLeftParen                   // (
	tokRightParen                  // )
	tokString                      // double-quoted string; val is unescaped
	tokWord                        // bare token that is neither keyword nor operator
	tokOperator                    // bare token starting with '-' and a letter
	tokAnd                         // AND, any case
	tokOr                          // OR, any case
	tokNull                        // NULL, any case
	tokTrue                        // true, any case
	tokFalse                       // false, any case
)

var tokenNames = [...]string{
	tokError:      "error",
	tokEOF:        "EOF",
	tokLeftParen:  "(",
	tokRightParen: ")",
	tokString:     "string",
	tokWord:       "word",
	tokOperator:   "operator",
	tokAnd:        "AND",
	tokOr:         "OR",
	tokNull:       "NULL",
	tokTrue:       "true",
	tokFalse:      "false",
}

// String returns a short name for the token type.
func (t tokenType) String() string {
	if t >= 0 && int(t) < len(tokenNames) {
		return tokenNames[t]
	}
	return fmt.Sprintf("tokenType(%d)", int(t))
}

// token is one lexical token.
type token struct {
	typ tokenType
	pos int    // 1-based byte column of the first byte of the token
	val string // text as written; unescaped content for tokString; message for tokError
}

// String formats the token for debugging and tests.
func (t token) String() string {
	switch t.typ {
	case tokEOF:
		return fmt.Sprintf("EOF@%d", t.pos)
	case tokLeftParen, tokRightParen:
		return fmt.Sprintf("%s@%d", t.typ, t.pos)
	}
	return fmt.Sprintf("%s %q@%d", t.typ, t.val, t.pos)
}

// lexer splits a query into tokens on demand. It is synchronous: each call
// to next scans exactly one token.
type lexer struct {
	input string
	pos   int // 0-based byte offset of the next unread byte
}

// newLexer returns a lexer positioned at the start of input.
func newLexer(input string) *lexer {
	return &lexer{input: input}
}

// isSpace reports whether r separates tokens.
func isSpace(r rune) bool {
	return unicode.IsSpace(r)
}

// isDelim reports whether r ends a bare token.
func isDelim(r rune) bool {
	return isSpace(r) || r == '(' || r == ')' || r == '"'
}

// next scans and returns the next token. After the end of the input it
// keeps returning tokEOF. After a tokError the lexer is at the end of the
// input.
func (l *lexer) next() token {
	for l.pos < len(l.input) {
		r, w := utf8.DecodeRuneInString(l.input[l.pos:])
		if !isSpace(r) {
			break
		}
		l.pos += w
	}
	start := l.pos
	if start >= len(l.input) {
		return token{typ: tokEOF, pos: start + 1}
	}
	switch l.input[start] {
	case '(':
		l.pos++
		return token{typ: tokLeftParen, pos: start + 1, val: "("}
	case ')':
		l.pos++
		return token{typ: tokRightParen, pos: start + 1, val: ")"}
	case '"':
		return l.lexString()
	}
	for l.pos < len(l.input) {
		r, w := utf8.DecodeRuneInString(l.input[l.pos:])
		if isDelim(r) {
			break
		}
		l.pos += w
	}
	word := l.input[start:l.pos]
	return token{typ: classifyWord(word), pos: start + 1, val: word}
}

// lexString scans a double-quoted string whose opening quote is at l.pos.
// Inside the quotes a backslash escapes a double quote or a backslash; any
// other backslash is taken literally.
func (l *lexer) lexString() token {
	start := l.pos
	i := start + 1
	var b strings.Builder
	plain := i // start of the current run of bytes copied verbatim
	for i < len(l.input) {
		switch l.input[i] {
		case '"':
			val := l.input[plain:i] // no escapes: share the input
			if b.Len() > 0 {
				b.WriteString(val)
				val = b.String()
			}
			l.pos = i + 1
			return token{typ: tokString, pos: start + 1, val: val}
		case '\\':
			if i+1 < len(l.input) && (l.input[i+1] == '"' || l.input[i+1] == '\\') {
				b.WriteString(l.input[plain:i])
				b.WriteByte(l.input[i+1])
				i += 2
				plain = i
				continue
			}
		}
		i++
	}
	l.pos = len(l.input)
	return token{
		typ: tokError,
		pos: start + 1,
		val: fmt.Sprintf("unterminated string starting at position %d", start+1),
	}
}

// classifyWord returns the token type of a bare token.
func classifyWord(w string) tokenType {
	if len(w) > 1 && w[0] == '-' {
		if r, _ := utf8.DecodeRuneInString(w[1:]); unicode.IsLetter(r) {
			return tokOperator
		}
	}
	switch {
	case equalFoldASCII(w, "AND"):
		return tokAnd
	case equalFoldASCII(w, "OR"):
		return tokOr
	case equalFoldASCII(w, "NULL"):
		return tokNull
	case equalFoldASCII(w, "TRUE"):
		return tokTrue
	case equalFoldASCII(w, "FALSE"):
		return tokFalse
	}
	return tokWord
}

// equalFoldASCII reports whether s and t are equal under ASCII case
// folding. Unlike strings.EqualFold it does not treat non-ASCII letters
// such as U+017F (long s) as equal to ASCII ones, so keywords and operators
// are only ever spelled with ASCII letters.
func equalFoldASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lowerASCII(s[i]) != lowerASCII(t[i]) {
			return false
		}
	}
	return true
}

// lowerASCII maps an ASCII upper-case letter to lower case and leaves every
// other byte alone.
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// toLowerASCII lower-cases the ASCII letters of s.
func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}
