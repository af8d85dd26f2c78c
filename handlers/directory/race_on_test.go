//go:build race

package directory

// propertySeeds is how many random rosters each property test tries. The
// race detector makes each about ten times slower and finds nothing more
// in these single-goroutine imports, so it tries fewer; the fuzz target
// FuzzRosterRoundTrip and the build without -race try more.
const propertySeeds = 10
