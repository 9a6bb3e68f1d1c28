package query

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// testSchema resembles the agents (orchestrators) resource.
var testSchema = NewSchema(
	Field{Name: "AgentId", Type: String},
	Field{Name: "ClientMachine", Type: String},
	Field{Name: "Username", Type: String, Aliases: []string{"Identity"}},
	Field{Name: "AgentPlatform", Type: Int, Aliases: []string{"Platform"}},
	Field{Name: "Status", Type: Int, Enum: map[string]int64{"New": 1, "Approved": 2, "Disapproved": 3}},
	Field{Name: "LastSeen", Type: Date},
	Field{Name: "Capabilities", Type: StringList},
	Field{Name: "LegacyThumbprint", Type: Bool},
)

// testNow is a fixed "now" for %TODAY%; its UTC date is 2025-03-14 even
// though its local date in the given zone is 2025-03-15.
var testNow = time.Date(2025, 3, 15, 1, 30, 0, 0, time.FixedZone("UTC+3", 3*3600))

// exprString renders a typed tree for comparison in tests.
func exprString(e Expr) string {
	switch e := e.(type) {
	case nil:
		return "<nil>"
	case *And:
		return "(" + exprString(e.Left) + " AND " + exprString(e.Right) + ")"
	case *Or:
		return "(" + exprString(e.Left) + " OR " + exprString(e.Right) + ")"
	case *Cond:
		v := fmt.Sprintf("%T(%v)", e.Value, e.Value)
		if t, ok := e.Value.(time.Time); ok {
			v = "time(" + t.Format(time.RFC3339Nano) + ")"
		}
		if e.Value == nil {
			v = "NULL"
		}
		s := e.Field.Name + " " + e.Op.String() + " " + v
		if e.DateOnly {
			s += " dateonly"
		}
		return s
	}
	return fmt.Sprintf("?%T", e)
}

var checkTests = []struct {
	name  string
	input string
	want  string // exprString of the result, or the Error() text when err is set
	err   bool
}{
	{"empty", "  ", "<nil>", false},

	// String fields.
	{"string eq", `ClientMachine -eq "web01"`, `ClientMachine -eq string(web01)`, false},
	{"string bare", `ClientMachine -startswith web`, `ClientMachine -startswith string(web)`, false},
	{"string number", `AgentId -eq 42`, `AgentId -eq string(42)`, false},
	{"string bool keyword", `AgentId -eq TRUE`, `AgentId -eq string(true)`, false},
	{"string all ops", `AgentId -ne a AND AgentId -contains b AND AgentId -notcontains c AND AgentId -endswith d`,
		`(((AgentId -ne string(a) AND AgentId -contains string(b)) AND AgentId -notcontains string(c)) AND AgentId -endswith string(d))`, false},
	{"string backslash", `Username -eq "DOMAIN\svc-orch"`, `Username -eq string(DOMAIN\svc-orch)`, false},
	{"string null", `Username -eq NULL`, `Username -eq NULL`, false},
	{"alias any case", `identity -ne null`, `Username -ne NULL`, false},
	{"field any case", `CLIENTMACHINE -contains x`, `ClientMachine -contains string(x)`, false},
	{"string lt", `ClientMachine -lt "b"`, `position 15: operator -lt is not supported for String field "ClientMachine"`, true},
	{"string null contains", `ClientMachine -contains NULL`, `position 25: NULL can only be used with -eq or -ne, not with -contains (field "ClientMachine")`, true},

	// Int fields.
	{"int", `AgentPlatform -eq 5`, `AgentPlatform -eq int64(5)`, false},
	{"int alias", `Platform -ge -5`, `AgentPlatform -ge int64(-5)`, false},
	{"int quoted", `Platform -lt "7"`, `AgentPlatform -lt int64(7)`, false},
	{"int max", `Platform -le 9223372036854775807`, `AgentPlatform -le int64(9223372036854775807)`, false},
	{"int min", `Platform -gt -9223372036854775808`, `AgentPlatform -gt int64(-9223372036854775808)`, false},
	{"int null", `Platform -eq NULL`, `AgentPlatform -eq NULL`, false},
	{"enum", `Status -eq Approved`, `Status -eq int64(2)`, false},
	{"enum any case quoted", `Status -ne "disapproved"`, `Status -ne int64(3)`, false},
	{"enum number", `Status -gt 1`, `Status -gt int64(1)`, false},
	{"int overflow", `Platform -eq 9223372036854775808`, `position 14: value "9223372036854775808" is out of range for Int field "AgentPlatform"`, true},
	{"int word", `AgentPlatform -eq abc`, `position 19: value "abc" is not a valid Int for field "AgentPlatform"`, true},
	{"int decimal", `AgentPlatform -eq 1.5`, `position 19: value "1.5" is not a valid Int for field "AgentPlatform"`, true},
	{"int bool", `AgentPlatform -eq true`, `position 19: value true is not a valid Int for field "AgentPlatform"`, true},
	{"enum unknown", `Status -eq abc`, `position 12: value "abc" is not a valid Int for field "Status"; use an integer or one of New, Approved, Disapproved`, true},
	{"int contains", `Status -contains 1`, `position 8: operator -contains is not supported for Int field "Status"`, true},
	{"int null lt", `Status -lt NULL`, `position 12: NULL can only be used with -eq or -ne, not with -lt (field "Status")`, true},

	// Bool fields.
	{"bool", `LegacyThumbprint -eq true`, `LegacyThumbprint -eq bool(true)`, false},
	{"bool upper", `LegacyThumbprint -ne FALSE`, `LegacyThumbprint -ne bool(false)`, false},
	{"bool quoted", `LegacyThumbprint -eq "True"`, `LegacyThumbprint -eq bool(true)`, false},
	{"bool null", `LegacyThumbprint -eq NULL`, `LegacyThumbprint -eq NULL`, false},
	{"bool bad", `LegacyThumbprint -eq yes`, `position 22: value "yes" is not a valid Bool for field "LegacyThumbprint"; use true or false`, true},
	{"bool number", `LegacyThumbprint -eq 1`, `position 22: value "1" is not a valid Bool for field "LegacyThumbprint"; use true or false`, true},
	{"bool gt", `LegacyThumbprint -gt true`, `position 18: operator -gt is not supported for Bool field "LegacyThumbprint"`, true},

	// Date fields.
	{"date", `LastSeen -ge 2025-01-01`, `LastSeen -ge time(2025-01-01T00:00:00Z) dateonly`, false},
	{"date quoted", `LastSeen -eq "2025-01-01"`, `LastSeen -eq time(2025-01-01T00:00:00Z) dateonly`, false},
	{"datetime no zone is UTC", `LastSeen -lt 2025-01-01T10:00:00`, `LastSeen -lt time(2025-01-01T10:00:00Z)`, false},
	{"datetime Z", `LastSeen -lt "2025-01-01T10:00:00Z"`, `LastSeen -lt time(2025-01-01T10:00:00Z)`, false},
	{"datetime offset", `LastSeen -gt 2025-01-01T10:00:00.123+02:00`, `LastSeen -gt time(2025-01-01T08:00:00.123Z)`, false},
	{"datetime offset crosses day", `LastSeen -gt "2025-01-01T01:00:00+05:00"`, `LastSeen -gt time(2024-12-31T20:00:00Z)`, false},
	{"datetime fraction no zone", `LastSeen -le 2025-06-30T23:59:59.999999999`, `LastSeen -le time(2025-06-30T23:59:59.999999999Z)`, false},
	{"today", `LastSeen -ge %TODAY%`, `LastSeen -ge time(2025-03-14T00:00:00Z) dateonly`, false},
	{"today lower quoted", `LastSeen -eq "%today%"`, `LastSeen -eq time(2025-03-14T00:00:00Z) dateonly`, false},
	{"date null", `LastSeen -ne NULL`, `LastSeen -ne NULL`, false},
	{"date bad month", `LastSeen -ge 2025-13-01`, `position 14: value "2025-13-01" is not a valid DateTime for field "LastSeen"; use an ISO-8601 date such as 2025-01-31 or 2025-01-31T13:45:00Z, or %TODAY%`, true},
	{"date word", `LastSeen -ge yesterday`, `position 14: value "yesterday" is not a valid DateTime for field "LastSeen"; use an ISO-8601 date such as 2025-01-31 or 2025-01-31T13:45:00Z, or %TODAY%`, true},
	{"date short year", `LastSeen -ge 25-01-01`, `position 14: value "25-01-01" is not a valid DateTime for field "LastSeen"; use an ISO-8601 date such as 2025-01-31 or 2025-01-31T13:45:00Z, or %TODAY%`, true},
	{"date contains", `LastSeen -contains 2025`, `position 10: operator -contains is not supported for DateTime field "LastSeen"`, true},
	{"date null gt", `LastSeen -gt NULL`, `position 14: NULL can only be used with -eq or -ne, not with -gt (field "LastSeen")`, true},

	// StringList fields.
	{"list contains", `Capabilities -contains "PEM"`, `Capabilities -contains string(PEM)`, false},
	{"list notcontains bare", `Capabilities -notcontains IIS`, `Capabilities -notcontains string(IIS)`, false},
	{"list empty", `Capabilities -eq NULL`, `Capabilities -eq NULL`, false},
	{"list not empty", `Capabilities -ne null`, `Capabilities -ne NULL`, false},
	{"list eq value", `Capabilities -eq "PEM"`, `position 14: operator -eq is not supported for List field "Capabilities"; use -contains or -notcontains`, true},
	{"list startswith", `Capabilities -startswith "P"`, `position 14: operator -startswith is not supported for List field "Capabilities"; use -contains or -notcontains`, true},
	{"list contains null", `Capabilities -contains NULL`, `position 24: NULL can only be used with -eq or -ne, not with -contains (field "Capabilities")`, true},

	// Structure and field errors.
	{"tree", `(Status -eq New OR Status -eq Approved) AND Platform -ne 2`,
		`((Status -eq int64(1) OR Status -eq int64(2)) AND AgentPlatform -ne int64(2))`, false},
	{"unknown field", `Foo -eq 1`, `position 1: unknown field "Foo"; valid fields are AgentId, ClientMachine, Username, AgentPlatform, Status, LastSeen, Capabilities, LegacyThumbprint`, true},
	{"unknown field later", `Status -eq 1 OR (AgentId -eq x AND Bar -eq 2)`, `position 36: unknown field "Bar"; valid fields are AgentId, ClientMachine, Username, AgentPlatform, Status, LastSeen, Capabilities, LegacyThumbprint`, true},
	{"first error wins", `Status -eq bad AND Foo -eq 1`, `position 12: value "bad" is not a valid Int for field "Status"; use an integer or one of New, Approved, Disapproved`, true},
	{"syntax error", `Status -eq`, `position 11: expected a value after -eq, found end of input`, true},
}

func TestCompile(t *testing.T) {
	for _, tt := range checkTests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Compile(tt.input, testSchema, testNow)
			if tt.err {
				var qe *Error
				if !errors.As(err, &qe) {
					t.Fatalf("Compile(%q) = %s, %v; want *Error %q", tt.input, exprString(e), err, tt.want)
				}
				if err.Error() != tt.want {
					t.Errorf("Compile(%q) error\n got: %s\nwant: %s", tt.input, err, tt.want)
				}
				if e != nil {
					t.Errorf("Compile(%q) returned %s with an error", tt.input, exprString(e))
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.input, err)
			}
			if got := exprString(e); got != tt.want {
				t.Errorf("Compile(%q)\n got: %s\nwant: %s", tt.input, got, tt.want)
			}
		})
	}
}

// TestCompileCanonical checks that the canonical form of every accepted
// query compiles to the same typed tree as the original.
func TestCompileCanonical(t *testing.T) {
	for _, tt := range checkTests {
		if tt.err {
			continue
		}
		n, err := Parse(tt.input)
		if err != nil || n == nil {
			continue
		}
		e, err := Compile(n.String(), testSchema, testNow)
		if err != nil {
			t.Errorf("Compile(%q): %v", n.String(), err)
			continue
		}
		if got := exprString(e); got != tt.want {
			t.Errorf("canonical %q compiles to %s, want %s", n.String(), got, tt.want)
		}
	}
}

func TestCheckTypedValues(t *testing.T) {
	cond := func(input string) *Cond {
		t.Helper()
		e, err := Compile(input, testSchema, testNow)
		if err != nil {
			t.Fatalf("Compile(%q): %v", input, err)
		}
		c, ok := e.(*Cond)
		if !ok {
			t.Fatalf("Compile(%q) = %T, want *Cond", input, e)
		}
		return c
	}

	c := cond(`Platform -eq 3`)
	if v, ok := c.Value.(int64); !ok || v != 3 {
		t.Errorf("Platform value = %#v, want int64(3)", c.Value)
	}
	if f, _ := testSchema.Lookup("AgentPlatform"); c.Field != f {
		t.Errorf("Cond.Field is not the schema's field pointer")
	}

	c = cond(`LastSeen -gt 2025-01-01T10:00:00.5+02:00`)
	want := time.Date(2025, 1, 1, 8, 0, 0, 500_000_000, time.UTC)
	if v, ok := c.Value.(time.Time); !ok || !v.Equal(want) || v.Location() != time.UTC || c.DateOnly {
		t.Errorf("LastSeen value = %#v (DateOnly %v), want %v in UTC, not date-only", c.Value, c.DateOnly, want)
	}

	c = cond(`LastSeen -eq %TODAY%`)
	want = time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	if v, ok := c.Value.(time.Time); !ok || v != want || !c.DateOnly {
		t.Errorf("%%TODAY%% value = %#v (DateOnly %v), want %v date-only", c.Value, c.DateOnly, want)
	}

	c = cond(`LegacyThumbprint -eq "FALSE"`)
	if v, ok := c.Value.(bool); !ok || v {
		t.Errorf("bool value = %#v, want false", c.Value)
	}

	c = cond(`Username -eq NULL`)
	if c.Value != nil || c.Op != OpEq {
		t.Errorf("NULL cond = %#v", c)
	}

	c = cond(`Capabilities -contains "a b"`)
	if v, ok := c.Value.(string); !ok || v != "a b" || c.Op != OpContains {
		t.Errorf("list cond = %#v", c)
	}
}

func TestCheckNil(t *testing.T) {
	e, err := Check(nil, testSchema, testNow)
	if e != nil || err != nil {
		t.Errorf("Check(nil) = %v, %v", e, err)
	}
	e, err = Compile("", testSchema, testNow)
	if e != nil || err != nil {
		t.Errorf("Compile(\"\") = %v, %v", e, err)
	}
	// A nil schema knows no fields.
	_, err = Compile("A -eq 1", nil, testNow)
	if err == nil || err.Error() != `position 1: unknown field "A"; no fields can be queried here` {
		t.Errorf("Compile with nil schema: %v", err)
	}
	// Hand-built broken trees are errors, not panics.
	for _, n := range []Node{
		&BinaryNode{Op: LogicalAnd},
		&BinaryNode{Op: 9, Left: &CompareNode{Field: "AgentId", Op: OpEq}, Right: &CompareNode{Field: "AgentId", Op: OpEq}},
		(*CompareNode)(nil),
		&CompareNode{Field: "AgentId", Op: 0},
		&CompareNode{Field: "AgentId", Op: OpEq},
	} {
		var qe *Error
		if _, err := Check(n, testSchema, testNow); !errors.As(err, &qe) {
			t.Errorf("Check(%#v) error = %v, want *Error", n, err)
		}
	}
}

func TestSchema(t *testing.T) {
	fields := testSchema.Fields()
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "AgentId,ClientMachine,Username,AgentPlatform,Status,LastSeen,Capabilities,LegacyThumbprint" {
		t.Errorf("Fields() = %s", got)
	}
	fields[0] = nil // the slice is a copy
	if testSchema.Fields()[0] == nil {
		t.Errorf("Fields() exposes the schema's slice")
	}
	for _, name := range []string{"platform", "PLATFORM", "AgentPlatform", "agentplatform"} {
		f, ok := testSchema.Lookup(name)
		if !ok || f.Name != "AgentPlatform" {
			t.Errorf("Lookup(%q) = %v, %v", name, f, ok)
		}
	}
	if _, ok := testSchema.Lookup("Plat"); ok {
		t.Errorf("Lookup(Plat) found a field")
	}

	// NewSchema copies its arguments.
	enum := map[string]int64{"A": 1}
	aliases := []string{"X"}
	s := NewSchema(Field{Name: "F", Type: Int, Enum: enum, Aliases: aliases})
	enum["B"] = 2
	aliases[0] = "Y"
	if _, ok := s.Lookup("X"); !ok {
		t.Errorf("alias X lost after caller changed its slice")
	}
	if _, err := Compile("F -eq B", s, testNow); err == nil {
		t.Errorf("enum name added after NewSchema was accepted")
	}

	types := map[Type]string{String: "String", Int: "Int", Bool: "Bool", Date: "DateTime", StringList: "List", Type(42): "Type(42)"}
	for typ, want := range types {
		if got := typ.String(); got != want {
			t.Errorf("Type(%d).String() = %q, want %q", int(typ), got, want)
		}
	}
}

func TestNewSchemaPanics(t *testing.T) {
	tests := []struct {
		name   string
		fields []Field
	}{
		{"empty name", []Field{{Name: ""}}},
		{"bad type", []Field{{Name: "A", Type: Type(9)}}},
		{"duplicate", []Field{{Name: "A"}, {Name: "a"}}},
		{"alias collides", []Field{{Name: "A"}, {Name: "B", Aliases: []string{"A"}}}},
		{"empty alias", []Field{{Name: "A", Aliases: []string{""}}}},
		{"enum on string", []Field{{Name: "A", Enum: map[string]int64{"x": 1}}}},
		{"enum collision", []Field{{Name: "A", Type: Int, Enum: map[string]int64{"x": 1, "X": 2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("NewSchema did not panic")
				}
			}()
			NewSchema(tt.fields...)
		})
	}
}

func TestEmptySchemaNames(t *testing.T) {
	_, err := Compile("A -eq 1", NewSchema(), testNow)
	if err == nil || !strings.Contains(err.Error(), "no fields can be queried") {
		t.Errorf("empty schema: %v", err)
	}
}

func TestConcurrentCompile(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, tt := range checkTests {
				e, err := Compile(tt.input, testSchema, testNow)
				if (err != nil) != tt.err {
					t.Errorf("Compile(%q) = %v, %v", tt.input, exprString(e), err)
				}
			}
		}()
	}
	wg.Wait()
}
