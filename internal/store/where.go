package store

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/query"
)

// ListOptions are the paging, sorting and filter parameters every list
// endpoint takes.
type ListOptions struct {
	Query      string // query language; empty means no filter
	SortField  string // a field name of the resource; empty means its default
	Descending bool
	Page       int // 1-based
	Limit      int // rows per page
}

// listSQL compiles opts for resource r into a WHERE clause (without the
// keyword; "1" when unfiltered), an ORDER BY list and LIMIT/OFFSET values,
// with every value a placeholder argument.
func (r *resource) listSQL(opts ListOptions, now time.Time) (where, order string, args []any, err error) {
	if where, args, err = r.filter(opts.Query, now); err != nil {
		return "", "", nil, err
	}
	order, err = r.orderBy(opts.SortField, opts.Descending)
	if err != nil {
		return "", "", nil, err
	}
	if opts.Page < 1 || opts.Limit < 1 {
		return "", "", nil, model.Errorf(model.Invalid, "PageReturned and ReturnLimit must be at least 1.")
	}
	return where, order, append(args, opts.Limit, int64(opts.Page-1)*int64(opts.Limit)), nil
}

// filter compiles a query into a WHERE condition ("1" when the query is
// empty) and its arguments.
func (r *resource) filter(q string, now time.Time) (string, []any, error) {
	f, err := r.compileFilter(q, now, "")
	return f.where, f.args, err
}

// compiledFilter is a query compiled for a listing.
type compiledFilter struct {
	where string
	args  []any
	// pinned names the fields the query pins to a single value (-eq with
	// a value, joined to the rest by AND): every row it matches has the
	// same value there, or values equal but for case.
	pinned map[string]bool
	// columns are the columns the condition reads.
	columns []string
}

// compileFilter compiles a query for a listing sorted by sortExpr (or ""
// when the order does not matter).
func (r *resource) compileFilter(q string, now time.Time, sortExpr string) (compiledFilter, error) {
	expr, err := query.Compile(q, r.schema, now)
	if err != nil {
		var qe *query.Error
		if errors.As(err, &qe) {
			return compiledFilter{}, model.Errorf(model.InvalidQuery, "Invalid query %q: %s.", q, qe.Error())
		}
		return compiledFilter{}, fmt.Errorf("compile query: %w", err)
	}
	if expr == nil {
		return compiledFilter{where: "1"}, nil
	}
	b := sqlBuilder{sort: sortExpr}
	if err := b.expr(r, expr); err != nil {
		return compiledFilter{}, err
	}
	f := compiledFilter{where: b.sql.String(), args: b.args, pinned: map[string]bool{}}
	var walk func(e query.Expr, top bool)
	walk = func(e query.Expr, top bool) {
		switch e := e.(type) {
		case *query.And:
			walk(e.Left, top)
			walk(e.Right, top)
		case *query.Or:
			walk(e.Left, false)
			walk(e.Right, false)
		case *query.Cond:
			if top && e.Op == query.OpEq && e.Value != nil && !e.DateOnly && e.Field.Type != query.StringList {
				f.pinned[e.Field.Name] = true
			}
			col := r.cols[e.Field.Name]
			f.columns = append(f.columns, columnName(col.expr+col.listKey))
		}
	}
	walk(expr, true)
	return f, nil
}

// columnName is the column of a column expression such as "a.status".
func columnName(expr string) string {
	return expr[strings.LastIndexByte(expr, '.')+1:]
}

// orderBy resolves a sort field (case-insensitive, aliases allowed) to an
// ORDER BY list: the field, then the key to break ties.
func (r *resource) orderBy(field string, desc bool) (string, error) {
	col, err := r.sortExpr(field)
	if err != nil {
		return "", err
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	if col == r.key {
		return col + dir, nil
	}
	return col + dir + ", " + r.key + dir, nil
}

// sortExpr resolves a sort field (case-insensitive, aliases allowed; ""
// for the default) to its SQL expression. List fields cannot be sorted on.
func (r *resource) sortExpr(field string) (string, error) {
	if field == "" {
		field = r.defaultSort
	}
	f, ok := r.schema.Lookup(field)
	if !ok || f.Type == query.StringList || r.cols[f.Name].noSort {
		var names []string
		for _, f := range r.schema.Fields() {
			if f.Type != query.StringList && !r.cols[f.Name].noSort {
				names = append(names, f.Name)
			}
		}
		return "", model.Errorf(model.InvalidSort, "Invalid sort field: %s. Sortable fields are %s.", field, strings.Join(names, ", "))
	}
	return r.cols[f.Name].expr, nil
}

// sqlBuilder accumulates a WHERE clause and its arguments side by side.
//
// A listing sorted by an indexed field is best read by walking that
// index, stopping when the page is full. SQLite does not weigh the LIMIT,
// so it would rather take a filter's index (Status -eq 2 through the
// status index), collect every match and sort them all, which for a
// broad filter costs milliseconds per page. When sort names such an
// index, conditions on other indexed columns are therefore written so
// that no index serves them (a unary +, which changes neither value nor
// collation), except an equality that matches few rows or that the
// (column, key) index yields in key order when the sort is the key.
type sqlBuilder struct {
	sort string // the listing's sort expression, or ""
	sql  strings.Builder
	args []any
}

func (b *sqlBuilder) expr(r *resource, e query.Expr) error {
	switch e := e.(type) {
	case *query.And:
		return b.binary(r, "AND", e.Left, e.Right)
	case *query.Or:
		return b.binary(r, "OR", e.Left, e.Right)
	case *query.Cond:
		return b.cond(r, e)
	}
	return fmt.Errorf("unexpected query node %T", e)
}

func (b *sqlBuilder) binary(r *resource, op string, left, right query.Expr) error {
	b.sql.WriteByte('(')
	if err := b.expr(r, left); err != nil {
		return err
	}
	b.sql.WriteString(" " + op + " ")
	if err := b.expr(r, right); err != nil {
		return err
	}
	b.sql.WriteByte(')')
	return nil
}

func (b *sqlBuilder) write(sql string, args ...any) {
	b.sql.WriteString(sql)
	b.args = append(b.args, args...)
}

// likeEscape escapes LIKE's wildcards so a value matches literally.
var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (b *sqlBuilder) cond(r *resource, c *query.Cond) error {
	col, ok := r.cols[c.Field.Name]
	if !ok {
		return fmt.Errorf("no column for field %s", c.Field.Name)
	}
	if col.listKey != "" {
		return b.listCond(col, c)
	}
	x := col.expr
	if b.hidden(r, col, c.Op) {
		x = "+" + x
	}
	if c.Value == nil {
		switch c.Op {
		case query.OpEq:
			b.write(x + " IS NULL")
		case query.OpNe:
			b.write(x + " IS NOT NULL")
		default:
			return fmt.Errorf("NULL with %s", c.Op)
		}
		return nil
	}
	v := c.Value
	switch t := v.(type) {
	case time.Time:
		if c.DateOnly {
			return b.dayCond(x, c.Op, t)
		}
		v = model.NewTime(t).String()
	case bool:
		if t {
			v = 1
		} else {
			v = 0
		}
	}
	switch c.Op {
	case query.OpEq:
		b.write(x+" = ?", v)
	case query.OpNe:
		// IS NOT is null-safe: a NULL column differs from any value, as it
		// does in C#, where Command's queries are written.
		b.write(x+" IS NOT ?", v)
	case query.OpLt:
		b.write(x+" < ?", v)
	case query.OpLe:
		b.write(x+" <= ?", v)
	case query.OpGt:
		b.write(x+" > ?", v)
	case query.OpGe:
		b.write(x+" >= ?", v)
	// A LIKE pattern that is a bare parameter makes SQLite plan the
	// statement again every time a new pattern is bound (it might use an
	// index for a prefix); written as an expression it is planned once.
	case query.OpContains:
		b.write(x+` LIKE (? || '') ESCAPE '\'`, "%"+likeEscape.Replace(fmt.Sprint(v))+"%")
	case query.OpNotContains:
		b.write("("+x+" IS NULL OR "+x+` NOT LIKE (? || '') ESCAPE '\')`, "%"+likeEscape.Replace(fmt.Sprint(v))+"%")
	case query.OpStartsWith:
		b.write(x+` LIKE (? || '') ESCAPE '\'`, likeEscape.Replace(fmt.Sprint(v))+"%")
	case query.OpEndsWith:
		b.write(x+` LIKE (? || '') ESCAPE '\'`, "%"+likeEscape.Replace(fmt.Sprint(v)))
	default:
		return fmt.Errorf("operator %s on %s", c.Op, c.Field.Name)
	}
	return nil
}

// hidden reports whether a condition op on col must not use col's index
// (see sqlBuilder).
func (b *sqlBuilder) hidden(r *resource, col column, op query.Operator) bool {
	if !col.indexed || col.expr == b.sort || b.sort == "" {
		return false
	}
	sortCol, ok := r.cols[r.fieldOf(b.sort)]
	if !ok || !sortCol.indexed && b.sort != r.key {
		return false // no index gives the order: let SQLite choose
	}
	if op == query.OpEq && (col.selective || b.sort == r.key) {
		return false
	}
	return true
}

// dayCond compares a timestamp column with a whole UTC day: -eq matches any
// time that day, -le includes the day, -gt starts after it.
func (b *sqlBuilder) dayCond(x string, op query.Operator, day time.Time) error {
	start := model.NewTime(day).String()
	end := model.NewTime(day.AddDate(0, 0, 1)).String()
	if !model.InRange(day.AddDate(0, 0, 1)) {
		end = "9999-13" // sorts after every storable time of the last day
	}
	switch op {
	case query.OpEq:
		b.write("("+x+" >= ? AND "+x+" < ?)", start, end)
	case query.OpNe:
		b.write("("+x+" IS NULL OR "+x+" < ? OR "+x+" >= ?)", start, end)
	case query.OpLt:
		b.write(x+" < ?", start)
	case query.OpLe:
		b.write(x+" < ?", end)
	case query.OpGt:
		b.write(x+" >= ?", end)
	case query.OpGe:
		b.write(x+" >= ?", start)
	default:
		return fmt.Errorf("operator %s on a date", op)
	}
	return nil
}

// listCond tests membership in a multi-valued field through its key
// column: the value, folded and wrapped in separators, is a substring of
// the key exactly when it is one of the values.
func (b *sqlBuilder) listCond(col column, c *query.Cond) error {
	k := col.listKey
	if v, ok := c.Value.(string); ok && strings.ContainsFunc(v, unicode.IsControl) {
		// No list value holds a control character (see model.NormalizeCapabilities).
		if c.Op == query.OpNotContains {
			b.write("1")
		} else {
			b.write("0")
		}
		return nil
	}
	switch {
	case c.Value == nil && c.Op == query.OpEq:
		b.write(k + " = ''")
	case c.Value == nil && c.Op == query.OpNe:
		b.write(k + " <> ''")
	case c.Op == query.OpContains:
		b.write("instr("+k+", ?) > 0", model.ListKey([]string{fmt.Sprint(c.Value)}))
	case c.Op == query.OpNotContains:
		b.write("instr("+k+", ?) = 0", model.ListKey([]string{fmt.Sprint(c.Value)}))
	default:
		return fmt.Errorf("operator %s on list field %s", c.Op, c.Field.Name)
	}
	return nil
}
