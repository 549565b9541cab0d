package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
)

// stmtCacheSize bounds the statements one SQLite connection keeps prepared.
// The hot queries are a few dozen texts; the rest (list filters, IN lists of
// varying length) come and go through the LRU.
const stmtCacheSize = 256

// cachingConnector hands out SQLite connections that prepare each distinct
// SQL text once and reuse the prepared statement afterwards. The SQLite
// driver otherwise parses and plans every statement on every call (a quarter
// of paybridge's CPU under load went to sqlite3RunParser). Doing it below
// database/sql keeps every query of the store, written anywhere, prepared
// without touching its call site: tx.ExecContext(ctx, query, …) and
// s.r.QueryRowContext(ctx, query, …) both arrive here with the text.
type cachingConnector struct {
	driver.Connector
	// noInterrupt makes statements ignore their context's cancellation. On
	// the writer connection a cancelled statement would call
	// sqlite3_interrupt, which rolls back the whole open transaction, and
	// under group commit that transaction holds other callers' work.
	// database/sql still refuses to start a statement whose context is
	// done, so a cancelled caller's transaction fails at its next statement
	// and rolls back to its own savepoint alone.
	noInterrupt bool
	// prepares counts the statements compiled (Stats.Prepares), runs
	// those run (Stats.Statements).
	prepares, runs *atomic.Int64
	// guard, on the writer, watches its statements for the group
	// committer (writerGuard in groupcommit.go).
	guard *writerGuard
	// fence, on the readers, runs before a query's last row is reported or
	// its rows are closed: it waits until every commit the query could have
	// seen is durable (walSyncer.fence).
	fence func(context.Context) error
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, noInterrupt: c.noInterrupt, prepares: c.prepares, runs: c.runs, fence: c.fence, guard: c.guard, lru: list.New(), byQuery: map[string]*list.Element{}}, nil
}

// cachingConn wraps one driver connection with its statement cache.
// database/sql never uses a connection from two goroutines at once, but rows
// may be closed from its context watcher, so the cache has its own lock.
type cachingConn struct {
	driver.Conn
	noInterrupt bool
	prepares    *atomic.Int64
	runs        *atomic.Int64
	fence       func(context.Context) error
	guard       *writerGuard

	mu      sync.Mutex
	lru     *list.List // of *cachedStmt, most recently used first
	byQuery map[string]*list.Element
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool // its rows are open: another call must prepare its own
}

// acquire returns a prepared statement for query and the function that gives
// it back. A statement in use (open rows) is never handed out twice: the
// second caller gets a fresh statement that is closed when it is done.
func (c *cachingConn) acquire(ctx context.Context, query string) (driver.Stmt, func(), error) {
	if c.runs != nil {
		c.runs.Add(1)
	}
	if c.guard != nil && mayControlTx(query) {
		c.guard.anomalies.Add(1)
		if c.guard.inMember.Load() && !c.guard.allowControl.Load() {
			return nil, nil, errTxControl
		}
	}
	c.mu.Lock()
	if e, ok := c.byQuery[query]; ok {
		cs := e.Value.(*cachedStmt)
		if !cs.busy {
			cs.busy = true
			c.lru.MoveToFront(e)
			c.mu.Unlock()
			return cs.stmt, func() { c.release(cs) }, nil
		}
		c.mu.Unlock()
		st, err := c.prepare(ctx, query)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
	c.mu.Unlock()
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	cs := &cachedStmt{query: query, stmt: st, busy: true}
	c.mu.Lock()
	c.byQuery[query] = c.lru.PushFront(cs)
	// Evict the least recently used idle statements past the bound.
	for e := c.lru.Back(); c.lru.Len() > stmtCacheSize && e != nil; {
		prev := e.Prev()
		if old := e.Value.(*cachedStmt); !old.busy {
			c.lru.Remove(e)
			delete(c.byQuery, old.query)
			old.stmt.Close()
		}
		e = prev
	}
	c.mu.Unlock()
	return st, func() { c.release(cs) }, nil
}

func (c *cachingConn) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.busy = false
	c.mu.Unlock()
}

func (c *cachingConn) prepare(ctx context.Context, query string) (driver.Stmt, error) {
	if c.prepares != nil {
		c.prepares.Add(1)
	}
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c *cachingConn) ctx(ctx context.Context) context.Context {
	if c.noInterrupt {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// ExecContext implements driver.ExecerContext with a cached statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ctx = c.ctx(ctx)
	st, release, err := c.acquire(ctx, query)
	if err != nil {
		c.failed(err)
		return nil, err
	}
	defer release()
	se, ok := st.(driver.StmtExecContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := se.ExecContext(ctx, args)
	c.failed(err)
	return res, err
}

// failed counts a statement's error as an anomaly on the writer.
func (c *cachingConn) failed(err error) {
	if err != nil && c.guard != nil {
		c.guard.anomalies.Add(1)
	}
}

// errTxControl refuses a statement of a group member that could end the
// group's transaction.
var errTxControl = errors.New("store: a transaction of the group commit may not begin, end or nest transactions, nor run several statements in one text")

// mayControlTx reports whether query could begin, end or nest a
// transaction: a transaction-control statement, or a text holding more
// than one statement (which the driver runs in turn). It errs on the side
// of yes: an anomaly only costs a group its fast path.
func mayControlTx(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n")
	if strings.HasPrefix(q, "--") || strings.HasPrefix(q, "/*") {
		return true
	}
	for _, kw := range [...]string{"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"} {
		if len(q) >= len(kw) && strings.EqualFold(q[:len(kw)], kw) {
			return true
		}
	}
	return strings.Contains(strings.TrimRight(q, "; \t\r\n"), ";")
}

// QueryContext implements driver.QueryerContext with a cached statement,
// held until the rows are closed.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	ctx = c.ctx(ctx)
	st, release, err := c.acquire(ctx, query)
	if err != nil {
		c.failed(err)
		return nil, err
	}
	sq, ok := st.(driver.StmtQueryContext)
	if !ok {
		release()
		return nil, driver.ErrSkip
	}
	rows, err := sq.QueryContext(ctx, args)
	if err != nil {
		c.failed(err)
		release()
		return nil, err
	}
	return &releasingRows{Rows: rows, release: release, fence: c.fence, ctx: ctx, conn: c}, nil
}

// Close closes every cached statement, then the connection.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	for e := c.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	c.lru.Init()
	clear(c.byQuery)
	c.mu.Unlock()
	return c.Conn.Close()
}

// The rest forwards the optional interfaces database/sql looks for.

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.prepare(c.ctx(ctx), query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(c.ctx(ctx), opts)
	}
	return nil, errors.New("sqlite: the driver cannot begin a transaction with options")
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// releasingRows gives its statement back to the cache when closed, and on a
// reader holds back the end of the rows until what they showed is durable.
// database/sql reports a QueryRow's result only after Close, and a query's
// end after Next says there are no more rows, and store methods return
// only after both: so no caller acts on a commit before it is on disk.
type releasingRows struct {
	driver.Rows
	once    sync.Once
	release func()
	fence   func(context.Context) error
	ctx     context.Context // the query's: a fence ends with it
	conn    *cachingConn
}

func (r *releasingRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err != io.EOF {
		r.conn.failed(err)
	}
	if err == io.EOF && r.fence != nil {
		if ferr := r.fence(r.ctx); ferr != nil {
			return ferr
		}
	}
	return err
}

func (r *releasingRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	if r.fence != nil {
		if ferr := r.fence(r.ctx); err == nil {
			err = ferr
		}
	}
	return err
}
