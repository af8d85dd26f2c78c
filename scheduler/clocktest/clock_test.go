package clocktest

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)

func TestTimersFireInOrderAtTheirOwnTime(t *testing.T) {
	c := New(t0)
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, name+"@"+c.Now().Sub(t0).String()) }
	}
	c.AfterFunc(3*time.Second, at("c"))
	c.AfterFunc(time.Second, at("a"))
	c.AfterFunc(time.Second, at("b")) // same instant: set after a, fires after a
	stopped := c.AfterFunc(2*time.Second, at("stopped"))
	c.AfterFunc(time.Hour, at("later"))
	if !stopped() {
		t.Error("stop of a pending timer reported false")
	}
	if stopped() {
		t.Error("second stop reported true")
	}
	c.Advance(999 * time.Millisecond)
	if len(got) != 0 {
		t.Fatalf("fired before their time: %v", got)
	}
	c.Advance(5 * time.Second)
	want := "a@1s b@1s c@3s"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("fired %q, want %q", s, want)
	}
	if now := c.Now(); !now.Equal(t0.Add(5999 * time.Millisecond)) {
		t.Errorf("Now = %s after the moves, want t0+5.999s", now.Sub(t0))
	}
	if n := c.Pending(); n != 1 {
		t.Errorf("%d timers pending, want 1 (an hour away)", n)
	}
}

// A callback that sets a timer due within the same move sees it fire in
// that move, as a ticker would tick several times over a long wait.
func TestTimersSetByCallbacksFireInTheSameMove(t *testing.T) {
	c := New(t0)
	ticks := 0
	var tick func()
	tick = func() {
		ticks++
		c.AfterFunc(time.Minute, tick)
	}
	c.AfterFunc(time.Minute, tick)
	c.Advance(time.Hour)
	if ticks != 60 {
		t.Errorf("%d ticks in an hour, want 60", ticks)
	}
	c.Set(t0) // back: nothing fires, the next tick waits for the clock
	c.Advance(time.Hour)
	if ticks != 60 {
		t.Errorf("%d ticks after setting the clock back an hour and forward again, want 60", ticks)
	}
	if stop := c.AfterFunc(0, func() {}); stop() {
		t.Error("stop of a timer that fires at once reported true")
	}
}
