//go:build race

package polls

// stormVotes is how many members click at once in the vote storm tests.
// The race detector makes each vote 5–10 times slower, and a write waits
// for storage's write gate at most 10 s (as SQLite's busy timeout would):
// a storm that takes longer is refused "too busy", by design.
const stormVotes = 100
