package query

import (
	"errors"
	"strconv"
	"time"
)

// Expr is a node of the typed tree produced by [Check] and [Compile]: an
// [*And], an [*Or] or a [*Cond].
type Expr interface {
	isExpr()
}

// And is true when both operands are.
type And struct {
	Left, Right Expr
}

// Or is true when either operand is.
type Or struct {
	Left, Right Expr
}

// Cond is a comparison of a field with a typed value.
type Cond struct {
	// Field is the schema field compared; it is the pointer returned by
	// Schema.Lookup.
	Field *Field
	// Op is the comparison operator. For StringList fields -contains and
	// -notcontains are membership tests, and -eq and -ne only occur with
	// a nil Value (the list is empty or not empty).
	Op Operator
	// Value is nil for NULL, a string for String and StringList fields,
	// an int64 for Int fields, a bool for Bool fields and a time.Time in
	// UTC for Date fields.
	Value any
	// DateOnly reports that a Date value was written without a time of
	// day (for example 2025-03-14 or %TODAY%). Value is then midnight UTC
	// at the start of that day, and -eq means "within that whole UTC day".
	DateOnly bool
}

func (*And) isExpr()  {}
func (*Or) isExpr()   {}
func (*Cond) isExpr() {}

// Compile parses input and checks it against s; see [Parse] and [Check].
// Empty or white-space-only input yields a nil Expr and a nil error. now
// resolves %TODAY%, as the UTC date of now.
func Compile(input string, s *Schema, now time.Time) (Expr, error) {
	n, err := Parse(input)
	if err != nil || n == nil {
		return nil, err
	}
	return Check(n, s, now)
}

// Check resolves the syntax tree n against schema s, returning the typed
// tree. It reports unknown fields, operators not supported by a field's
// type and values that are not valid for the field, each as an [*Error]
// positioned at the offending token. A nil n yields a nil Expr. now
// resolves %TODAY%, as the UTC date of now. Trees built by hand rather
// than by Parse may also fail with errors about missing operands or
// invalid operators; their positions are those recorded in the tree,
// which may be 0.
func Check(n Node, s *Schema, now time.Time) (Expr, error) {
	if n == nil {
		return nil, nil
	}
	y, m, d := now.UTC().Date()
	c := &checker{schema: s, today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	return c.check(n)
}

// checker holds the state of one call to Check.
type checker struct {
	schema *Schema
	today  time.Time
}

// check converts one node.
func (c *checker) check(n Node) (Expr, error) {
	switch n := n.(type) {
	case *BinaryNode:
		if n == nil || n.Left == nil || n.Right == nil {
			return nil, errorf(n.Pos(), "incomplete %v expression", opOf(n))
		}
		l, err := c.check(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.check(n.Right)
		if err != nil {
			return nil, err
		}
		switch n.Op {
		case LogicalAnd:
			return &And{Left: l, Right: r}, nil
		case LogicalOr:
			return &Or{Left: l, Right: r}, nil
		}
		return nil, errorf(n.OpPos, "invalid logical operator %v", n.Op)
	case *CompareNode:
		if n == nil {
			return nil, errorf(0, "missing comparison")
		}
		cond, err := c.compare(n)
		if err != nil {
			return nil, err // not cond: a nil *Cond would be a non-nil Expr
		}
		return cond, nil
	}
	return nil, errorf(0, "unexpected node type %T", n)
}

// opOf returns the connective of a possibly nil BinaryNode.
func opOf(n *BinaryNode) LogicalOp {
	if n == nil {
		return 0
	}
	return n.Op
}

// operators lists the operators each type supports.
var operators = map[Type][]Operator{
	String:     {OpEq, OpNe, OpContains, OpNotContains, OpStartsWith, OpEndsWith},
	Int:        {OpEq, OpNe, OpLt, OpLe, OpGt, OpGe},
	Bool:       {OpEq, OpNe},
	Date:       {OpEq, OpNe, OpLt, OpLe, OpGt, OpGe},
	StringList: {OpContains, OpNotContains, OpEq, OpNe},
}

// supports reports whether fields of type t accept operator op.
func supports(t Type, op Operator) bool {
	for _, o := range operators[t] {
		if o == op {
			return true
		}
	}
	return false
}

// compare converts one comparison.
func (c *checker) compare(n *CompareNode) (*Cond, error) {
	f, ok := c.schema.Lookup(n.Field)
	if !ok {
		if names := c.schema.fieldNames(); names != "" {
			return nil, errorf(n.FieldPos, "unknown field %s; valid fields are %s", quote(n.Field), names)
		}
		return nil, errorf(n.FieldPos, "unknown field %s; no fields can be queried here", quote(n.Field))
	}
	op := n.Op
	if op < OpEq || op > OpGe {
		return nil, errorf(n.OpPos, "unknown operator %v; valid operators are %s", op, operatorList)
	}
	v := n.Value
	listValue := f.Type == StringList && (op == OpEq || op == OpNe) && v.Kind != Null
	if !supports(f.Type, op) || listValue {
		if f.Type == StringList {
			return nil, errorf(n.OpPos, "operator %v is not supported for %v field %q; use -contains or -notcontains", op, f.Type, f.Name)
		}
		return nil, errorf(n.OpPos, "operator %v is not supported for %v field %q", op, f.Type, f.Name)
	}
	cond := &Cond{Field: f, Op: op}
	if v.Kind == Null {
		if op != OpEq && op != OpNe {
			return nil, errorf(v.Pos, "NULL can only be used with -eq or -ne, not with %v (field %q)", op, f.Name)
		}
		return cond, nil
	}
	var err error
	switch f.Type {
	case String, StringList:
		cond.Value, err = c.stringValue(f, v)
	case Int:
		cond.Value, err = c.intValue(f, v)
	case Bool:
		cond.Value, err = c.boolValue(f, v)
	case Date:
		cond.Value, cond.DateOnly, err = c.dateValue(f, v)
	}
	if err != nil {
		return nil, err
	}
	return cond, nil
}

// describeValue formats a value for an error message.
func describeValue(v ValueNode) string {
	switch v.Kind {
	case True:
		return "true"
	case False:
		return "false"
	case Null:
		return "NULL"
	}
	return quote(v.Text)
}

// stringValue converts the value of a String or StringList comparison. Any
// value but NULL is accepted as its text; true and false are normalised to
// lower case.
func (c *checker) stringValue(f *Field, v ValueNode) (string, error) {
	switch v.Kind {
	case QuotedString, Bare:
		return v.Text, nil
	case True:
		return "true", nil
	case False:
		return "false", nil
	}
	return "", invalidValue(f, v, "")
}

// intValue converts the value of an Int comparison: an integer, bare or
// quoted, or one of the field's enum names.
func (c *checker) intValue(f *Field, v ValueNode) (int64, error) {
	if v.Kind != QuotedString && v.Kind != Bare {
		return 0, c.invalidInt(f, v)
	}
	i, err := strconv.ParseInt(v.Text, 10, 64)
	if err == nil {
		return i, nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return 0, errorf(v.Pos, "value %s is out of range for %v field %q", describeValue(v), f.Type, f.Name)
	}
	if i, ok := c.schema.enumValue(f, v.Text); ok {
		return i, nil
	}
	return 0, c.invalidInt(f, v)
}

// invalidInt returns the error for a value that is not valid for Int field
// f, listing the enum names if it has any.
func (c *checker) invalidInt(f *Field, v ValueNode) error {
	if names := c.schema.enumNames(f); names != "" {
		return invalidValue(f, v, "; use an integer or one of "+names)
	}
	return invalidValue(f, v, "")
}

// boolValue converts the value of a Bool comparison: true or false, bare or
// quoted, in any case.
func (c *checker) boolValue(f *Field, v ValueNode) (bool, error) {
	switch v.Kind {
	case True:
		return true, nil
	case False:
		return false, nil
	case QuotedString, Bare:
		switch {
		case equalFoldASCII(v.Text, "true"):
			return true, nil
		case equalFoldASCII(v.Text, "false"):
			return false, nil
		}
	}
	return false, invalidValue(f, v, "; use true or false")
}

// todayToken is the bare value that stands for the current UTC date.
const todayToken = "%TODAY%"

// dateValue converts the value of a Date comparison: %TODAY% or an ISO-8601
// date or date-time, bare or quoted. It reports whether the value had no
// time of day.
func (c *checker) dateValue(f *Field, v ValueNode) (time.Time, bool, error) {
	if v.Kind == QuotedString || v.Kind == Bare {
		if equalFoldASCII(v.Text, todayToken) {
			return c.today, true, nil
		}
		if t, dateOnly, ok := parseDate(v.Text); ok {
			return t, dateOnly, nil
		}
	}
	return time.Time{}, false, invalidValue(f, v,
		"; use an ISO-8601 date such as 2025-01-31 or 2025-01-31T13:45:00Z, or "+todayToken)
}

// Layouts accepted for Date values. When parsing, package time accepts a
// fractional second after the seconds even though the layouts have none.
const (
	layoutDate         = "2006-01-02"
	layoutDateTime     = "2006-01-02T15:04:05"
	layoutDateTimeZone = "2006-01-02T15:04:05Z07:00"
)

// parseDate parses an ISO-8601 date (2025-01-01) or date-time
// (2025-01-01T10:00:00, optionally with fractional seconds and a zone such
// as Z or +02:00; no zone means UTC). The result is in UTC.
func parseDate(s string) (t time.Time, dateOnly, ok bool) {
	if t, err := time.Parse(layoutDate, s); err == nil {
		return t, true, true
	}
	for _, layout := range []string{layoutDateTime, layoutDateTimeZone} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), false, true
		}
	}
	return time.Time{}, false, false
}

// invalidValue returns the error for value v not being valid for field f,
// with an optional hint appended to the message.
func invalidValue(f *Field, v ValueNode, hint string) error {
	return errorf(v.Pos, "value %s is not a valid %v for field %q%s", describeValue(v), f.Type, f.Name, hint)
}
