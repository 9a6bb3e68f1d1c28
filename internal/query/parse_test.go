package query

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// parseTests are shared by TestParse, TestRoundTrip and FuzzParse. For ok
// rows want is the canonical String of the tree ("" for no filter); for the
// others it is the full Error() text.
var parseTests = []struct {
	name  string
	input string
	ok    bool
	want  string
}{
	// No filter.
	{"empty", "", true, ""},
	{"blank", " \t\n ", true, ""},

	// Single comparisons and values.
	{"int", `Status -eq 2`, true, `Status -eq 2`},
	{"extra spaces", "  Status\t-eq   2  ", true, `Status -eq 2`},
	{"quoted", `ClientMachine -eq "web01"`, true, `ClientMachine -eq "web01"`},
	{"empty string", `ClientMachine -eq ""`, true, `ClientMachine -eq ""`},
	{"upper operator", `Status -EQ 2`, true, `Status -eq 2`},
	{"mixed operator", `Name -StartsWith "a"`, true, `Name -startswith "a"`},
	{"all operators", `A -eq 1 AND A -ne 1 AND A -contains 1 AND A -notcontains 1 AND A -startswith 1 AND A -endswith 1 AND A -lt 1 AND A -le 1 AND A -gt 1 AND A -ge 1`, true,
		`A -eq 1 AND A -ne 1 AND A -contains 1 AND A -notcontains 1 AND A -startswith 1 AND A -endswith 1 AND A -lt 1 AND A -le 1 AND A -gt 1 AND A -ge 1`},
	{"negative number", `A -gt -5`, true, `A -gt -5`},
	{"negative decimal", `A -gt -5.25`, true, `A -gt -5.25`},
	{"null", `Username -eq NULL`, true, `Username -eq NULL`},
	{"null lower", `Username -ne null`, true, `Username -ne NULL`},
	{"bools", `Enabled -eq TRUE OR Enabled -eq False`, true, `Enabled -eq true OR Enabled -eq false`},
	{"quoted keyword stays a string", `A -eq "NULL" OR A -eq "and"`, true, `A -eq "NULL" OR A -eq "and"`},
	{"bare word", `Status -eq Approved`, true, `Status -eq Approved`},
	{"today", `LastSeen -ge %TODAY%`, true, `LastSeen -ge %TODAY%`},
	{"bare date", `LastSeen -ge 2025-01-01`, true, `LastSeen -ge 2025-01-01`},
	{"bare datetime", `LastSeen -lt 2025-01-01T10:00:00.123+02:00`, true, `LastSeen -lt 2025-01-01T10:00:00.123+02:00`},
	{"quoted datetime", `LastSeen -lt "2025-01-01T10:00:00Z"`, true, `LastSeen -lt "2025-01-01T10:00:00Z"`},
	{"escaped quote", `A -eq "say \"hi\""`, true, `A -eq "say \"hi\""`},
	{"escaped backslash", `A -eq "a\\b"`, true, `A -eq "a\\b"`},
	{"literal backslash", `Username -eq "DOMAIN\svc-orch"`, true, `Username -eq "DOMAIN\\svc-orch"`},
	{"string with parens and keywords", `A -eq "x) OR (y"`, true, `A -eq "x) OR (y"`},
	{"no space before string", `A -eq"x"`, true, `A -eq "x"`},
	{"non-ASCII", `Name -contains "Grüße"`, true, `Name -contains "Grüße"`},

	// Connectives and precedence.
	{"and", `A -eq 1 AND B -eq 2`, true, `A -eq 1 AND B -eq 2`},
	{"keywords any case", `A -eq 1 and B -eq 2 oR C -eq 3`, true, `A -eq 1 AND B -eq 2 OR C -eq 3`},
	{"and binds tighter", `A -eq 1 OR B -eq 2 AND C -eq 3`, true, `A -eq 1 OR B -eq 2 AND C -eq 3`},
	{"parens needed", `(A -eq 1 OR B -eq 2) AND C -eq 3`, true, `(A -eq 1 OR B -eq 2) AND C -eq 3`},
	{"parens needed right", `C -eq 3 AND (A -eq 1 OR B -eq 2)`, true, `C -eq 3 AND (A -eq 1 OR B -eq 2)`},
	{"redundant parens dropped", `((A -eq 1)) OR (B -eq 2 AND C -eq 3)`, true, `A -eq 1 OR B -eq 2 AND C -eq 3`},
	{"right-nested or flattened", `A -eq 1 OR (B -eq 2 OR C -eq 3)`, true, `A -eq 1 OR B -eq 2 OR C -eq 3`},
	{"right-nested and flattened", `A -eq 1 AND (B -eq 2 AND C -eq 3)`, true, `A -eq 1 AND B -eq 2 AND C -eq 3`},
	{"no spaces around parens", `(A -eq "x" OR A -eq "y")AND B -eq "z"`, true, `(A -eq "x" OR A -eq "y") AND B -eq "z"`},
	{"no spaces anywhere near parens", `(A -eq x)AND(B -eq y)OR(C -eq z)`, true, `A -eq x AND B -eq y OR C -eq z`},
	{"string then keyword", `A -eq "x"AND B -eq "y"`, true, `A -eq "x" AND B -eq "y"`},
	{"nested or in and in or", `A -eq 1 OR (B -eq 2 OR C -eq 3) AND D -eq 4`, true, `A -eq 1 OR (B -eq 2 OR C -eq 3) AND D -eq 4`},

	// Errors.
	{"missing operator", `Status 2`, false, `position 8: expected an operator such as -eq after field "Status", found "2"`},
	{"missing operator at end", `Status`, false, `position 7: expected an operator such as -eq after field "Status", found end of input`},
	{"missing value", `A -eq`, false, `position 6: expected a value after -eq, found end of input`},
	{"missing value before paren", `(A -eq)`, false, `position 7: expected a value after -eq, found ")"`},
	{"operator as value", `A -eq -ne`, false, `position 7: expected a value after -eq, found "-ne"`},
	{"keyword as value", `A -eq AND`, false, `position 7: expected a value after -eq, found "AND"`},
	{"missing connective", `A -eq 1 Status -eq 2`, false, `position 9: expected AND or OR, found "Status"`},
	{"missing connective before string", `A -eq 1 "x"`, false, `position 9: expected AND or OR, found string "x"`},
	{"missing connective in parens", `(A -eq 1 B -eq 2)`, false, `position 10: expected AND, OR or ")" to close "(" at position 1, found "B"`},
	{"unterminated", `Username -eq "abc`, false, `position 14: unterminated string starting at position 14`},
	{"unterminated by escape", `A -eq "abc\"`, false, `position 7: unterminated string starting at position 7`},
	{"unterminated after comparison", `A -eq 1 "abc`, false, `position 9: unterminated string starting at position 9`},
	{"missing close paren", `(A -eq 1`, false, `position 9: missing ")" to close "(" at position 1`},
	{"missing inner close paren", `((A -eq 1) OR B -eq 2`, false, `position 22: missing ")" to close "(" at position 1`},
	{"unexpected close paren", `A -eq 1)`, false, `position 8: unexpected ")"`},
	{"unexpected close paren later", `(A -eq 1)) AND B -eq 2`, false, `position 10: unexpected ")"`},
	{"empty parens", `()`, false, `position 2: expected a field name or "(", found ")"`},
	{"lone close paren", `)`, false, `position 1: expected a field name or "(", found ")"`},
	{"dangling and", `A -eq 1 AND`, false, `position 12: expected a field name or "(" after AND, found end of input`},
	{"dangling or", `A -eq 1 or `, false, `position 12: expected a field name or "(" after OR, found end of input`},
	{"leading and", `AND A -eq 1`, false, `position 1: expected a field name or "(", found "AND"`},
	{"double and", `A -eq 1 AND AND B -eq 2`, false, `position 13: expected a field name or "(" after AND, found "AND"`},
	{"quoted field", `"A" -eq 1`, false, `position 1: expected a field name or "(", found string "A"`},
	{"keyword field", `NULL -eq 1`, false, `position 1: expected a field name or "(", found "NULL"`},
	{"operator first", `-eq 1`, false, `position 1: expected a field name or "(", found "-eq"`},
	{"unknown operator", `Name -like "a%"`, false, `position 6: unknown operator "-like"; valid operators are -eq, -ne, -contains, -notcontains, -startswith, -endswith, -lt, -le, -gt, -ge`},
	{"long token shortened", `A -eq 1 ` + strings.Repeat("x", 50), false, `position 9: expected AND or OR, found "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."`},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse(tt.input)
			if !tt.ok {
				if err == nil {
					t.Fatalf("Parse(%q) = %v, want error %q", tt.input, n, tt.want)
				}
				var qe *Error
				if !errors.As(err, &qe) {
					t.Fatalf("Parse(%q) error %T is not *Error", tt.input, err)
				}
				if err.Error() != tt.want {
					t.Errorf("Parse(%q) error\n got: %s\nwant: %s", tt.input, err, tt.want)
				}
				if n != nil {
					t.Errorf("Parse(%q) returned node %v with an error", tt.input, n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.input, err)
			}
			got := ""
			if n != nil {
				got = n.String()
			}
			if got != tt.want {
				t.Errorf("Parse(%q).String()\n got: %s\nwant: %s", tt.input, got, tt.want)
			}
			if tt.want == "" && n != nil {
				t.Errorf("Parse(%q) = %#v, want nil", tt.input, n)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tt := range parseTests {
		if !tt.ok || tt.want == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			n1, err := Parse(tt.input)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.input, err)
			}
			s1 := n1.String()
			n2, err := Parse(s1)
			if err != nil {
				t.Fatalf("reparse of %q: %v", s1, err)
			}
			if s2 := n2.String(); s2 != s1 {
				t.Errorf("round trip changed the text\nfirst:  %s\nsecond: %s", s1, s2)
			}
		})
	}
}

// shape renders the structure of a tree with explicit parentheses around
// every binary node, to test grouping independently of String.
func shape(n Node) string {
	switch n := n.(type) {
	case *BinaryNode:
		return "[" + shape(n.Left) + " " + n.Op.String() + " " + shape(n.Right) + "]"
	case *CompareNode:
		return n.Field
	}
	return "?"
}

func TestParseShape(t *testing.T) {
	tests := []struct {
		input string
		want  string
	}{
		{`A -eq 1 OR B -eq 2 AND C -eq 3`, `[A OR [B AND C]]`},
		{`A -eq 1 AND B -eq 2 OR C -eq 3`, `[[A AND B] OR C]`},
		{`(A -eq 1 OR B -eq 2) AND C -eq 3`, `[[A OR B] AND C]`},
		{`A -eq 1 AND B -eq 2 AND C -eq 3`, `[[A AND B] AND C]`},
		{`A -eq 1 OR B -eq 2 OR C -eq 3`, `[[A OR B] OR C]`},
		{`A -eq 1 OR (B -eq 2 OR C -eq 3)`, `[A OR [B OR C]]`},
		{`A -eq 1 AND B -eq 2 OR C -eq 3 AND D -eq 4`, `[[A AND B] OR [C AND D]]`},
	}
	for _, tt := range tests {
		n, err := Parse(tt.input)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.input, err)
			continue
		}
		if got := shape(n); got != tt.want {
			t.Errorf("Parse(%q) shape = %s, want %s", tt.input, got, tt.want)
		}
	}
}

func TestParsePositions(t *testing.T) {
	n, err := Parse(`(Status -EQ "x\"y") or Name -eq NULL`)
	if err != nil {
		t.Fatal(err)
	}
	or, ok := n.(*BinaryNode)
	if !ok || or.Op != LogicalOr {
		t.Fatalf("root = %#v, want OR node", n)
	}
	if or.Pos() != 21 {
		t.Errorf("OR Pos = %d, want 21", or.Pos())
	}
	left := or.Left.(*CompareNode)
	wantLeft := CompareNode{Field: "Status", FieldPos: 2, Op: OpEq, OpPos: 9,
		Value: ValueNode{Kind: QuotedString, Text: `x"y`, Pos: 13}}
	if *left != wantLeft {
		t.Errorf("left = %#v\nwant %#v", *left, wantLeft)
	}
	right := or.Right.(*CompareNode)
	wantRight := CompareNode{Field: "Name", FieldPos: 24, Op: OpEq, OpPos: 29,
		Value: ValueNode{Kind: Null, Text: "NULL", Pos: 33}}
	if *right != wantRight {
		t.Errorf("right = %#v\nwant %#v", *right, wantRight)
	}
	if left.Pos() != 2 {
		t.Errorf("left.Pos() = %d, want 2", left.Pos())
	}
}

func TestParseValueKinds(t *testing.T) {
	tests := []struct {
		input string
		kind  ValueKind
		text  string
	}{
		{`A -eq "x"`, QuotedString, "x"},
		{`A -eq x`, Bare, "x"},
		{`A -eq -5`, Bare, "-5"},
		{`A -eq nUlL`, Null, "nUlL"},
		{`A -eq TRUE`, True, "TRUE"},
		{`A -eq false`, False, "false"},
		{`A -eq "true"`, QuotedString, "true"},
	}
	for _, tt := range tests {
		n, err := Parse(tt.input)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.input, err)
			continue
		}
		v := n.(*CompareNode).Value
		if v.Kind != tt.kind || v.Text != tt.text {
			t.Errorf("Parse(%q) value = %v %q, want %v %q", tt.input, v.Kind, v.Text, tt.kind, tt.text)
		}
	}
}

// chain returns "A -eq 1 AND A -eq 1 AND ..." of exactly size bytes,
// padding the first value with leading zeros.
func chain(size int) string {
	const unit = " AND A -eq 1"
	n := (size - len("A -eq 1")) / len(unit)
	rest := strings.Repeat(unit, n)
	pad := size - len("A -eq 1") - len(rest)
	return "A -eq " + strings.Repeat("0", pad) + "1" + rest
}

func TestLongChain(t *testing.T) {
	for _, size := range []int{MaxLength - 1, MaxLength} {
		in := chain(size)
		if len(in) != size {
			t.Fatalf("chain(%d) has %d bytes", size, len(in))
		}
		n, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse of %d-byte chain: %v", size, err)
		}
		depth := 0
		for b, ok := n.(*BinaryNode); ok; b, ok = b.Left.(*BinaryNode) {
			depth++
		}
		if want := strings.Count(in, " AND "); depth != want {
			t.Errorf("left spine depth = %d, want %d", depth, want)
		}
		s := n.String()
		if n2, err := Parse(s); err != nil || n2.String() != s {
			t.Errorf("round trip of long chain failed: %v", err)
		}
	}
	orChain := strings.Repeat("A -eq 1 OR ", (MaxLength-10)/11) + "A -eq 1"
	if _, err := Parse(orChain); err != nil {
		t.Errorf("Parse of %d-byte OR chain: %v", len(orChain), err)
	}
}

func TestTooLong(t *testing.T) {
	in := chain(9000)
	_, err := Parse(in)
	var qe *Error
	if !errors.As(err, &qe) {
		t.Fatalf("Parse of 9000 bytes: err = %v, want *Error", err)
	}
	if want := "position 8001: query is too long (9000 bytes; the limit is 8000)"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	// Exactly MaxLength bytes of white space is fine; one more is not.
	if n, err := Parse(strings.Repeat(" ", MaxLength)); n != nil || err != nil {
		t.Errorf("Parse(%d spaces) = %v, %v; want nil, nil", MaxLength, n, err)
	}
	if _, err := Parse(strings.Repeat(" ", MaxLength+1)); err == nil {
		t.Errorf("Parse(%d spaces) succeeded", MaxLength+1)
	}
}

func TestDepth(t *testing.T) {
	nest := func(d int) string {
		return strings.Repeat("(", d) + "A -eq 1" + strings.Repeat(")", d)
	}
	n, err := Parse(nest(MaxDepth))
	if err != nil {
		t.Fatalf("depth %d: %v", MaxDepth, err)
	}
	if got := n.String(); got != "A -eq 1" {
		t.Errorf("depth %d prints %q", MaxDepth, got)
	}
	_, err = Parse(nest(MaxDepth + 1))
	var qe *Error
	if !errors.As(err, &qe) {
		t.Fatalf("depth %d: err = %v, want *Error", MaxDepth+1, err)
	}
	if want := "position 33: parentheses nested too deeply (the limit is 32)"; err.Error() != want {
		t.Errorf("depth %d: got %q, want %q", MaxDepth+1, err, want)
	}
	// Depth counts open parentheses, not the total: many siblings at
	// depth 32 are fine.
	sib := strings.Repeat("(", MaxDepth-1) + strings.Repeat("(A -eq 1) AND ", 50) + "(A -eq 1)" + strings.Repeat(")", MaxDepth-1)
	if _, err := Parse(sib); err != nil {
		t.Errorf("siblings at depth %d: %v", MaxDepth, err)
	}
	// Unbalanced deep input reports depth before the missing parenthesis.
	if _, err := Parse(strings.Repeat("(", 1000)); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("1000 open parens: %v", err)
	}
}

func TestStringOfNodes(t *testing.T) {
	// String on hand-built trees, including the parenthesisation rule.
	a := &CompareNode{Field: "A", Op: OpEq, Value: ValueNode{Kind: Bare, Text: "1"}}
	b := &CompareNode{Field: "B", Op: OpContains, Value: ValueNode{Kind: QuotedString, Text: `q"\`}}
	c := &CompareNode{Field: "C", Op: OpNe, Value: ValueNode{Kind: Null, Text: "null"}}
	tests := []struct {
		n    Node
		want string
	}{
		{a, `A -eq 1`},
		{b, `B -contains "q\"\\"`},
		{c, `C -ne NULL`},
		{&BinaryNode{Op: LogicalAnd, Left: &BinaryNode{Op: LogicalOr, Left: a, Right: b}, Right: c}, `(A -eq 1 OR B -contains "q\"\\") AND C -ne NULL`},
		{&BinaryNode{Op: LogicalOr, Left: &BinaryNode{Op: LogicalAnd, Left: a, Right: b}, Right: c}, `A -eq 1 AND B -contains "q\"\\" OR C -ne NULL`},
		{&BinaryNode{Op: LogicalAnd, Left: a, Right: &BinaryNode{Op: LogicalAnd, Left: b, Right: c}}, `A -eq 1 AND B -contains "q\"\\" AND C -ne NULL`},
		{&BinaryNode{Op: LogicalAnd, Left: a, Right: nil}, `A -eq 1 AND <nil>`},
	}
	for _, tt := range tests {
		if got := tt.n.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
}

func TestOperatorString(t *testing.T) {
	want := []string{"-eq", "-ne", "-contains", "-notcontains", "-startswith", "-endswith", "-lt", "-le", "-gt", "-ge"}
	for i, w := range want {
		op := OpEq + Operator(i)
		if got := op.String(); got != w {
			t.Errorf("Operator(%d).String() = %q, want %q", int(op), got, w)
		}
		if got, ok := lookupOperator(strings.ToUpper(w)); !ok || got != op {
			t.Errorf("lookupOperator(%q) = %v, %v", strings.ToUpper(w), got, ok)
		}
	}
	if got := Operator(0).String(); got != "Operator(0)" {
		t.Errorf("Operator(0).String() = %q", got)
	}
	if LogicalAnd.String() != "AND" || LogicalOr.String() != "OR" {
		t.Errorf("LogicalOp strings: %v %v", LogicalAnd, LogicalOr)
	}
}

func TestErrorPositionsInRange(t *testing.T) {
	for _, tt := range parseTests {
		if tt.ok {
			continue
		}
		_, err := Parse(tt.input)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("Parse(%q): %v is not *Error", tt.input, err)
			continue
		}
		if qe.Pos < 1 || qe.Pos > len(tt.input)+1 {
			t.Errorf("Parse(%q): position %d outside [1, %d]", tt.input, qe.Pos, len(tt.input)+1)
		}
	}
}

func TestCanonicalLengthLimit(t *testing.T) {
	// Each unit is 10 bytes as written and 12 bytes canonically
	// (`A -eq "x" AND `), so the canonical form grows faster than the input.
	const unit = `A -eq"x"AND `
	build := func(units int) string {
		return strings.Repeat(unit, units) + `A -eq"x"`
	}
	// The largest input whose canonical form fits.
	fits := (MaxLength - len(`A -eq "x"`)) / len(`A -eq "x" AND `)
	in := build(fits)
	n, err := Parse(in)
	if err != nil {
		t.Fatalf("Parse of %d bytes (canonical %d): %v", len(in), fits*14+9, err)
	}
	if s := n.String(); len(s) > MaxLength {
		t.Fatalf("canonical form has %d bytes", len(s))
	} else if _, err := Parse(s); err != nil {
		t.Fatalf("canonical form does not reparse: %v", err)
	}

	in = build(fits + 1)
	if len(in) > MaxLength {
		t.Fatalf("test input has %d bytes; it should be within the limit", len(in))
	}
	_, err = Parse(in)
	want := fmt.Sprintf("position 1: query is too long when written canonically (%d bytes; the limit is 8000)", (fits+1)*14+9)
	if err == nil || err.Error() != want {
		t.Errorf("Parse of %d bytes: got %v, want %q", len(in), err, want)
	}

	// A lone backslash in a string doubles when printed.
	in = `A -eq "` + strings.Repeat(`\x`, 3990) + `"`
	if _, err := Parse(in); err == nil || !strings.Contains(err.Error(), "written canonically") {
		t.Errorf("Parse of %d bytes of backslashes: %v", len(in), err)
	}
}

func TestValueString(t *testing.T) {
	tests := []struct {
		v        ValueNode
		want     string
		wantKind string
	}{
		{ValueNode{Kind: QuotedString, Text: `a"b\c`}, `"a\"b\\c"`, "QuotedString"},
		{ValueNode{Kind: Bare, Text: "Approved"}, "Approved", "Bare"},
		{ValueNode{Kind: Null, Text: "null"}, "NULL", "Null"},
		{ValueNode{Kind: True, Text: "TRUE"}, "true", "True"},
		{ValueNode{Kind: False, Text: "False"}, "false", "False"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%v.String() = %s, want %s", tt.v.Kind, got, tt.want)
		}
		if got := tt.v.Kind.String(); got != tt.wantKind {
			t.Errorf("Kind.String() = %s, want %s", got, tt.wantKind)
		}
	}
	if got := ValueKind(0).String(); got != "ValueKind(0)" {
		t.Errorf("ValueKind(0).String() = %s", got)
	}
}
