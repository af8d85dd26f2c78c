//go:build race

package bot

// raceSlowdown scales wall-clock bounds in tests: the race detector makes
// code 5–10 times slower. .ci/run also runs the timing tests without -race,
// at the real bounds.
const raceSlowdown = 5
