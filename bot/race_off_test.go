//go:build !race

package bot

// raceSlowdown scales wall-clock bounds in tests; see race_on_test.go.
const raceSlowdown = 1
