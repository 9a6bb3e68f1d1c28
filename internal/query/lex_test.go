package query

import (
	"strings"
	"testing"
)

// lexAll returns the String forms of all tokens of input, up to and
// including the first EOF or error.
func lexAll(input string) []string {
	l := newLexer(input)
	var out []string
	for {
		t := l.next()
		out = append(out, t.String())
		if t.typ == tokEOF || t.typ == tokError {
			return out
		}
	}
}

func TestLex(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"empty", "", []string{"EOF@1"}},
		{"spaces", " \t\r\n", []string{"EOF@5"}},
		{"comparison", `Status -eq 2`, []string{`word "Status"@1`, `operator "-eq"@8`, `word "2"@12`, "EOF@13"}},
		{"upper operator", `A -EQ b`, []string{`word "A"@1`, `operator "-EQ"@3`, `word "b"@7`, "EOF@8"}},
		{"unknown operator is still an operator", `A -like b`, []string{`word "A"@1`, `operator "-like"@3`, `word "b"@9`, "EOF@10"}},
		{"negative number", `A -lt -5`, []string{`word "A"@1`, `operator "-lt"@3`, `word "-5"@7`, "EOF@9"}},
		{"lone hyphen", `- --x -.5`, []string{`word "-"@1`, `word "--x"@3`, `word "-.5"@7`, "EOF@10"}},
		{"keywords any case", `and Or NULL True fAlSe`, []string{`AND "and"@1`, `OR "Or"@5`, `NULL "NULL"@8`, `true "True"@13`, `false "fAlSe"@18`, "EOF@23"}},
		{"keyword prefix is a word", `ANDY ORDER NULLS truex`, []string{`word "ANDY"@1`, `word "ORDER"@6`, `word "NULLS"@12`, `word "truex"@18`, "EOF@23"}},
		{"non-ASCII fold is not a keyword", "falſe", []string{`word "falſe"@1`, "EOF@7"}},
		{"parens without spaces", `(A -eq "x")AND(B)`, []string{"(@1", `word "A"@2`, `operator "-eq"@4`, `string "x"@8`, ")@11", `AND "AND"@12`, "(@15", `word "B"@16`, ")@17", "EOF@18"}},
		{"quote ends a bare token", `abc"def"ghi`, []string{`word "abc"@1`, `string "def"@4`, `word "ghi"@9`, "EOF@12"}},
		{"escaped quote", `"a\"b"`, []string{`string "a\"b"@1`, "EOF@7"}},
		{"escaped backslash", `"a\\b"`, []string{`string "a\\b"@1`, "EOF@7"}},
		{"literal backslash", `"DOMAIN\svc-orch"`, []string{`string "DOMAIN\\svc-orch"@1`, "EOF@18"}},
		{"trailing escaped backslash", `"x\\" y`, []string{`string "x\\"@1`, `word "y"@7`, "EOF@8"}},
		{"empty string", `""`, []string{`string ""@1`, "EOF@3"}},
		{"string with spaces and parens", `"a (b) c"`, []string{`string "a (b) c"@1`, "EOF@10"}},
		{"unterminated", `A -eq "abc`, []string{`word "A"@1`, `operator "-eq"@3`, `error "unterminated string starting at position 7"@7`}},
		{"unterminated by escape", `"abc\"`, []string{`error "unterminated string starting at position 1"@1`}},
		{"lone backslash at end", `"\`, []string{`error "unterminated string starting at position 1"@1`}},
		{"bare date and today", `2025-01-01T10:00:00.123+02:00 %TODAY%`, []string{`word "2025-01-01T10:00:00.123+02:00"@1`, `word "%TODAY%"@31`, "EOF@38"}},
		{"unicode space separates", "A\u00a0-eq\u00a0b", []string{`word "A"@1`, `operator "-eq"@4`, `word "b"@9`, "EOF@10"}},
		{"non-ASCII word", "Grüße -eq ü", []string{`word "Grüße"@1`, `operator "-eq"@9`, `word "ü"@13`, "EOF@15"}},
		{"invalid UTF-8 is part of a word", "a\xffb", []string{`word "a\xffb"@1`, "EOF@4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lexAll(tt.input)
			if strings.Join(got, " | ") != strings.Join(tt.want, " | ") {
				t.Errorf("lex(%q)\n got: %s\nwant: %s", tt.input, strings.Join(got, " | "), strings.Join(tt.want, " | "))
			}
		})
	}
}

func TestLexEOFRepeats(t *testing.T) {
	l := newLexer("a")
	l.next()
	for i := 0; i < 3; i++ {
		if tok := l.next(); tok.typ != tokEOF || tok.pos != 2 {
			t.Fatalf("call %d after end: got %v, want EOF@2", i, tok)
		}
	}
}

func TestTokenTypeString(t *testing.T) {
	for typ := tokError; typ <= tokFalse; typ++ {
		if s := typ.String(); s == "" || strings.HasPrefix(s, "tokenType(") {
			t.Errorf("tokenType(%d).String() = %q", int(typ), s)
		}
	}
	if got := tokenType(99).String(); got != "tokenType(99)" {
		t.Errorf("tokenType(99).String() = %q", got)
	}
}
