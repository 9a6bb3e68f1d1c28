// Package query implements the filter query language of the Keyfactor
// Command REST API, the language accepted by the QueryString (or
// pq.queryString) parameter of the collection endpoints.
//
// A query is a list of comparisons joined by AND and OR and grouped with
// parentheses:
//
//	Status -eq 2 AND (ClientMachine -startswith "web" OR LastSeen -ge %TODAY%)
//
// AND binds tighter than OR, and both associate to the left. Keywords
// (AND, OR, NULL, true, false), operators and field names are
// case-insensitive. The operators are -eq, -ne, -contains, -notcontains,
// -startswith, -endswith, -lt, -le, -gt and -ge.
//
// A value is a double-quoted string, in which a backslash escapes only a
// double quote or another backslash (any other backslash stands for
// itself, so "DOMAIN\svc" means DOMAIN\svc), or a bare token: a run of
// characters other than white space, parentheses and double quotes, such as
// 42, -5, 2025-01-01T10:00:00Z, Approved or %TODAY%. The bare keywords NULL,
// true and false are recognised as such. A bare token that starts with a
// hyphen followed by a letter is an operator, so -5 is a value and -eq is not.
//
// The package works in two layers. [Parse] turns the text into a syntax
// tree of [Node] values without knowing anything about fields; the tree
// prints back as canonical source with its String method. [Check] resolves
// that tree against a [Schema] describing the fields of one resource and
// produces a typed [Expr] tree of [And], [Or] and [Cond] values whose
// comparison values are already converted to Go types. [Compile] does both
// steps at once.
//
// Every error returned by Parse, Check and Compile is an [*Error] that
// carries the 1-based byte column of the offending token.
//
// Parsing is bounded: input longer than [MaxLength] bytes and parentheses
// nested deeper than [MaxDepth] levels are rejected, and chains of AND and
// OR are built iteratively, so no input can exhaust the stack.
package query
