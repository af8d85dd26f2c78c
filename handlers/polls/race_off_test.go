//go:build !race

package polls

// stormVotes is how many members click at once in the vote storm tests.
const stormVotes = 500
