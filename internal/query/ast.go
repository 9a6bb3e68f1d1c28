package query

import (
	"fmt"
	"strings"
)

// Node is an element of the syntax tree produced by [Parse]: a
// [*BinaryNode] or a [*CompareNode].
type Node interface {
	// Pos returns the 1-based byte column of the node in the input.
	Pos() int
	// String returns the node as canonical query source. Parsing that
	// source yields a tree that prints identically.
	String() string
	// writeTo appends the canonical source of the node to b.
	writeTo(b *strings.Builder)
}

// LogicalOp is the connective of a [BinaryNode].
type LogicalOp int

// The logical connectives.
const (
	LogicalAnd LogicalOp = iota + 1 // AND
	LogicalOr                       // OR
)

// String returns "AND" or "OR".
func (op LogicalOp) String() string {
	switch op {
	case LogicalAnd:
		return "AND"
	case LogicalOr:
		return "OR"
	}
	return fmt.Sprintf("LogicalOp(%d)", int(op))
}

// Operator is a comparison operator such as -eq.
type Operator int

// The comparison operators.
const (
	OpEq          Operator = iota + 1 // -eq
	OpNe                              // -ne
	OpContains                        // -contains
	OpNotContains                     // -notcontains
	OpStartsWith                      // -startswith
	OpEndsWith                        // -endswith
	OpLt                              // -lt
	OpLe                              // -le
	OpGt                              // -gt
	OpGe                              // -ge
)

var operatorNames = [...]string{
	OpEq:          "-eq",
	OpNe:          "-ne",
	OpContains:    "-contains",
	OpNotContains: "-notcontains",
	OpStartsWith:  "-startswith",
	OpEndsWith:    "-endswith",
	OpLt:          "-lt",
	OpLe:          "-le",
	OpGt:          "-gt",
	OpGe:          "-ge",
}

// String returns the operator as written in canonical source, for example
// "-eq".
func (op Operator) String() string {
	if op >= OpEq && op <= OpGe {
		return operatorNames[op]
	}
	return fmt.Sprintf("Operator(%d)", int(op))
}

// lookupOperator returns the operator spelled s, ignoring ASCII case.
func lookupOperator(s string) (Operator, bool) {
	for op := OpEq; op <= OpGe; op++ {
		if equalFoldASCII(s, operatorNames[op]) {
			return op, true
		}
	}
	return 0, false
}

// operatorList is the list of valid operators used in error messages.
var operatorList = func() string {
	names := make([]string, 0, len(operatorNames)-1)
	for op := OpEq; op <= OpGe; op++ {
		names = append(names, operatorNames[op])
	}
	return strings.Join(names, ", ")
}()

// BinaryNode joins two expressions with AND or OR.
type BinaryNode struct {
	Op          LogicalOp
	OpPos       int // 1-based byte column of the AND or OR keyword
	Left, Right Node
}

// Pos returns the position of the AND or OR keyword.
func (n *BinaryNode) Pos() int {
	if n == nil {
		return 0
	}
	return n.OpPos
}

// String returns the canonical source of the expression. Operands are
// parenthesised only where precedence requires it: an OR operand of an AND.
func (n *BinaryNode) String() string {
	var b strings.Builder
	n.writeTo(&b)
	return b.String()
}

func (n *BinaryNode) writeTo(b *strings.Builder) {
	if n == nil {
		b.WriteString("<nil>")
		return
	}
	writeOperand(b, n.Op, n.Left)
	b.WriteByte(' ')
	b.WriteString(n.Op.String())
	b.WriteByte(' ')
	writeOperand(b, n.Op, n.Right)
}

// writeOperand writes an operand of a BinaryNode with connective parent,
// adding parentheses when the operand would otherwise bind differently.
func writeOperand(b *strings.Builder, parent LogicalOp, n Node) {
	if n == nil {
		b.WriteString("<nil>")
		return
	}
	if c, ok := n.(*BinaryNode); ok && c != nil && parent == LogicalAnd && c.Op == LogicalOr {
		b.WriteByte('(')
		n.writeTo(b)
		b.WriteByte(')')
		return
	}
	n.writeTo(b)
}

// CompareNode is a single comparison: Field Op Value.
type CompareNode struct {
	Field    string // field name as written
	FieldPos int    // 1-based byte column of the field name
	Op       Operator
	OpPos    int // 1-based byte column of the operator
	Value    ValueNode
}

// Pos returns the position of the field name.
func (n *CompareNode) Pos() int {
	if n == nil {
		return 0
	}
	return n.FieldPos
}

// String returns the canonical source of the comparison, for example
// `Status -eq 2`.
func (n *CompareNode) String() string {
	var b strings.Builder
	n.writeTo(&b)
	return b.String()
}

func (n *CompareNode) writeTo(b *strings.Builder) {
	if n == nil {
		b.WriteString("<nil>")
		return
	}
	b.WriteString(n.Field)
	b.WriteByte(' ')
	b.WriteString(n.Op.String())
	b.WriteByte(' ')
	n.Value.writeTo(b)
}

// ValueKind says how a value was written.
type ValueKind int

// The kinds of value.
const (
	QuotedString ValueKind = iota + 1 // "text" (Text holds the unescaped content)
	Bare                              // a bare token such as 42, 2025-01-01 or Approved
	Null                              // the keyword NULL
	True                              // the keyword true
	False                             // the keyword false
)

// String returns the name of the kind.
func (k ValueKind) String() string {
	switch k {
	case QuotedString:
		return "QuotedString"
	case Bare:
		return "Bare"
	case Null:
		return "Null"
	case True:
		return "True"
	case False:
		return "False"
	}
	return fmt.Sprintf("ValueKind(%d)", int(k))
}

// ValueNode is the right-hand side of a comparison.
type ValueNode struct {
	Kind ValueKind
	// Text is the unescaped content of a QuotedString, and the token as
	// written for the other kinds (for example "Null" for a Null written
	// that way).
	Text string
	Pos  int // 1-based byte column of the value
}

// String returns the canonical source of the value: a quoted string with
// `"` and `\` escaped, a bare token as written, or NULL, true or false.
func (v ValueNode) String() string {
	var b strings.Builder
	v.writeTo(&b)
	return b.String()
}

func (v ValueNode) writeTo(b *strings.Builder) {
	switch v.Kind {
	case QuotedString:
		b.WriteByte('"')
		for i := 0; i < len(v.Text); i++ {
			if c := v.Text[i]; c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(v.Text[i])
		}
		b.WriteByte('"')
	case Null:
		b.WriteString("NULL")
	case True:
		b.WriteString("true")
	case False:
		b.WriteString("false")
	default:
		b.WriteString(v.Text)
	}
}
