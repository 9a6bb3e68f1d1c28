package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ErrNoBody is DecodeJSON's error for an empty body.
var ErrNoBody error = &Error{Kind: Malformed, Message: "A JSON body is required."}

// DecodeJSON decodes exactly one JSON value from data into v. Unknown
// members are rejected (Command's request schemas forbid additional
// properties), as is anything after the value. The error is an
// *Error whose message says what is wrong and where, in terms of the JSON,
// never of Go types. Its kind is Malformed.
//
// JSON is UTF-8 (RFC 8259 §8.1): invalid UTF-8 is rejected with its
// position instead of being read as U+FFFD. A leading byte-order mark is
// skipped, as ASP.NET does.
func DecodeJSON(data []byte, v any) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return ErrNoBody
	}
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, size := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			at += size
		}
		line, col := lineCol(data, int64(at))
		return Errorf(Malformed, "Malformed JSON at line %d, column %d: the body is not valid UTF-8.", line, col)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Errorf(Malformed, "%s", describeJSONError(data, dec, err))
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		rest := data[end:]
		line, col := lineCol(data, end+int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n"))))
		return Errorf(Malformed, "Malformed JSON: unexpected data after the JSON value at line %d, column %d.", line, col)
	}
	return nil
}

func describeJSONError(data []byte, dec *json.Decoder, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset-1) // Offset counts the offending byte
		return fmt.Sprintf("Malformed JSON at line %d, column %d: %s.", line, col, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "Malformed JSON: the body ends before the JSON value is complete."
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "The body"
		}
		return fmt.Sprintf("%s: expected %s, found %s.", where, jsonKind(typ.Type), foundKind(typ.Value))
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return fmt.Sprintf("Unknown member %s: it is not part of this request's schema.", name)
	}
	line, col := lineCol(data, dec.InputOffset())
	if m := lastMember.FindAllSubmatch(data[:min(max(dec.InputOffset(), 0), int64(len(data)))], -1); len(m) > 0 {
		return fmt.Sprintf("Invalid value of %s near line %d, column %d: %s.", m[len(m)-1][1], line, col, strings.TrimSuffix(msg, "."))
	}
	return fmt.Sprintf("Invalid value near line %d, column %d: %s.", line, col, strings.TrimSuffix(msg, "."))
}

// lastMember finds member names ("Name":) in JSON text: the last one
// before where decoding stopped names the member whose value was refused.
var lastMember = regexp.MustCompile(`"([A-Za-z_][A-Za-z0-9_.]{0,63})"\s*:`)

// typeError is the error a custom decoder returns for JSON b of the wrong
// kind: encoding/json names the member in it, and DecodeJSON says
// "Member: expected <what want expects>, found <b's kind>".
func typeError(b []byte, want reflect.Type) error {
	found := "value"
	if b = bytes.TrimSpace(b); len(b) > 0 {
		switch b[0] {
		case '{':
			found = "object"
		case '[':
			found = "array"
		case '"':
			found = "string"
		case 't', 'f':
			found = "bool"
		case 'n':
			found = "null"
		default:
			found = "number"
		}
	}
	return &json.UnmarshalTypeError{Value: found, Type: want}
}

// jsonKind names the JSON a Go type expects.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int32:
		return "a whole number (32-bit)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a different type"
}

// foundKind turns encoding/json's description of the offending value
// ("number", "number 1.5", "string", "array"…) into prose.
func foundKind(v string) string {
	switch {
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	case v == "number", v == "string", v == "object", v == "array":
		return "a" + map[bool]string{true: "n", false: ""}[v == "object" || v == "array"] + " " + v
	case v == "bool":
		return "a boolean"
	}
	return v
}

// lineCol turns a 0-based byte offset into a 1-based line and column.
func lineCol(data []byte, offset int64) (line, col int) {
	offset = max(offset, 0)
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}
