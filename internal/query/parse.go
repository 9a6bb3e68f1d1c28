package query

import "fmt"

// Limits on the input accepted by [Parse].
const (
	// MaxLength is the longest query, in bytes, that Parse accepts.
	MaxLength = 8000
	// MaxDepth is the deepest nesting of parentheses that Parse accepts.
	MaxDepth = 32
)

// Parse parses a query into a syntax tree. It checks syntax only: field
// names and the types of values are resolved by [Check].
//
// Empty or white-space-only input means "no filter": Parse returns
// (nil, nil). Any error is an [*Error]. Input longer than [MaxLength] bytes
// is rejected, and so is input whose canonical form (the String of the
// tree, which may be longer than the input because it puts spaces between
// tokens and escapes every backslash in a string) would be; so the String
// of every tree Parse returns can itself be parsed.
//
// The grammar, in EBNF, is
//
//	query      = [ orExpr ] EOF .
//	orExpr     = andExpr { "OR" andExpr } .
//	andExpr    = primary { "AND" primary } .
//	primary    = "(" orExpr ")" | comparison .
//	comparison = field operator value .
//	value      = string | bare | "NULL" | "true" | "false" .
//
// where keywords and operators are matched without regard to case.
func Parse(input string) (Node, error) {
	if len(input) > MaxLength {
		return nil, errorf(MaxLength+1, "query is too long (%d bytes; the limit is %d)", len(input), MaxLength)
	}
	p := &parser{lex: newLexer(input)}
	p.advance()
	if p.tok.typ == tokEOF {
		return nil, nil
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	switch p.tok.typ {
	case tokEOF:
		// The canonical form can be longer than the input (it adds
		// spaces and escapes lone backslashes). Holding it to the same
		// limit guarantees that n.String() always parses again.
		if c := len(n.String()); c > MaxLength {
			return nil, errorf(1, "query is too long when written canonically (%d bytes; the limit is %d)", c, MaxLength)
		}
		return n, nil
	case tokRightParen:
		return nil, errorf(p.tok.pos, `unexpected ")"`)
	}
	return nil, p.unexpected("AND or OR")
}

// parser holds the state of one call to Parse.
type parser struct {
	lex   *lexer
	tok   token // the current (not yet consumed) token
	depth int   // number of currently open parentheses
}

// advance moves to the next token.
func (p *parser) advance() {
	p.tok = p.lex.next()
}

// unexpected returns the error for finding the current token where
// something else was expected. A lexical error token is reported as
// itself.
func (p *parser) unexpected(expected string) error {
	if p.tok.typ == tokError {
		return &Error{Pos: p.tok.pos, Msg: p.tok.val}
	}
	return errorf(p.tok.pos, "expected %s, found %s", expected, describe(p.tok))
}

// describe names a token for an error message.
func describe(t token) string {
	switch t.typ {
	case tokEOF:
		return "end of input"
	case tokString:
		return "string " + quote(t.val)
	}
	return quote(t.val)
}

// parseOr parses a chain of OR operands, building a left-associative tree
// iteratively.
//
//	orExpr = andExpr { "OR" andExpr } .
func (p *parser) parseOr() (Node, error) {
	left, err := p.parseAnd(nil)
	if err != nil {
		return nil, err
	}
	for p.tok.typ == tokOr {
		kw := p.tok
		p.advance()
		right, err := p.parseAnd(&kw)
		if err != nil {
			return nil, err
		}
		left = &BinaryNode{Op: LogicalOr, OpPos: kw.pos, Left: left, Right: right}
	}
	return left, nil
}

// parseAnd parses a chain of AND operands, building a left-associative
// tree iteratively. If the chain follows an OR keyword, after is that
// keyword, for error messages.
//
//	andExpr = primary { "AND" primary } .
func (p *parser) parseAnd(after *token) (Node, error) {
	left, err := p.parsePrimary(after)
	if err != nil {
		return nil, err
	}
	for p.tok.typ == tokAnd {
		kw := p.tok
		p.advance()
		right, err := p.parsePrimary(&kw)
		if err != nil {
			return nil, err
		}
		left = &BinaryNode{Op: LogicalAnd, OpPos: kw.pos, Left: left, Right: right}
	}
	return left, nil
}

// parsePrimary parses a parenthesised expression or a comparison. This is
// the only place the parser recurses, and the recursion is bounded by
// MaxDepth.
//
//	primary = "(" orExpr ")" | comparison .
func (p *parser) parsePrimary(after *token) (Node, error) {
	if p.tok.typ != tokLeftParen {
		return p.parseComparison(after)
	}
	open := p.tok
	if p.depth >= MaxDepth {
		return nil, errorf(open.pos, "parentheses nested too deeply (the limit is %d)", MaxDepth)
	}
	p.depth++
	p.advance()
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	switch p.tok.typ {
	case tokRightParen:
	case tokEOF:
		return nil, errorf(p.tok.pos, `missing ")" to close "(" at position %d`, open.pos)
	default:
		return nil, p.unexpected(fmt.Sprintf(`AND, OR or ")" to close "(" at position %d`, open.pos))
	}
	p.depth--
	p.advance()
	return n, nil
}

// parseComparison parses one comparison.
//
//	comparison = field operator value .
//	field      = bare .
//	operator   = "-eq" | "-ne" | "-contains" | "-notcontains" | "-startswith"
//	           | "-endswith" | "-lt" | "-le" | "-gt" | "-ge" .
func (p *parser) parseComparison(after *token) (Node, error) {
	if p.tok.typ != tokWord {
		if after != nil {
			return nil, p.unexpected(fmt.Sprintf(`a field name or "(" after %s`, after.typ))
		}
		return nil, p.unexpected(`a field name or "("`)
	}
	field := p.tok
	p.advance()
	if p.tok.typ != tokOperator {
		return nil, p.unexpected("an operator such as -eq after field " + quote(field.val))
	}
	opTok := p.tok
	op, ok := lookupOperator(opTok.val)
	if !ok {
		return nil, errorf(opTok.pos, "unknown operator %s; valid operators are %s", quote(opTok.val), operatorList)
	}
	p.advance()
	v, err := p.parseValue(op)
	if err != nil {
		return nil, err
	}
	return &CompareNode{Field: field.val, FieldPos: field.pos, Op: op, OpPos: opTok.pos, Value: v}, nil
}

// parseValue parses the value of a comparison with operator op.
//
//	value = string | bare | "NULL" | "true" | "false" .
func (p *parser) parseValue(op Operator) (ValueNode, error) {
	var kind ValueKind
	switch p.tok.typ {
	case tokString:
		kind = QuotedString
	case tokWord:
		kind = Bare
	case tokNull:
		kind = Null
	case tokTrue:
		kind = True
	case tokFalse:
		kind = False
	default:
		return ValueNode{}, p.unexpected("a value after " + op.String())
	}
	v := ValueNode{Kind: kind, Text: p.tok.val, Pos: p.tok.pos}
	p.advance()
	return v, nil
}
