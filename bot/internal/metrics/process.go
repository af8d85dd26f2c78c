package metrics

import (
	"os"
	"runtime"
	"strconv"
	"strings"
)

// goFamilies are the Go runtime's usual families (named as client_golang's
// Go collector names them): goroutines, the heap, the collector's goal.
func goFamilies() []family {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return []family{
		gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine())),
		gauge("go_info", "Information about the Go environment.", 1, label{"version", runtime.Version()}),
		gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.", float64(runtime.GOMAXPROCS(0))),
		gauge("go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use.", float64(ms.HeapAlloc)),
		gauge("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", float64(ms.HeapInuse)),
		gauge("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used.", float64(ms.HeapIdle)),
		gauge("go_memstats_heap_released_bytes", "Number of heap bytes released to OS.", float64(ms.HeapReleased)),
		gauge("go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place.", float64(ms.NextGC)),
		gauge("go_memstats_sys_bytes", "Number of bytes obtained from system.", float64(ms.Sys)),
		gauge("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", float64(ms.LastGC)/1e9),
		{name: "go_gc_cycles_total", help: "Count of completed GC cycles.", typ: "counter",
			samples: []sample{{value: float64(ms.NumGC)}}},
	}
}

// clockTicks is Linux's USER_HZ, the unit of /proc/self/stat's times.
const clockTicks = 100

// processFamilies are the process's usual families (named as
// client_golang's process collector names them), read from /proc as it
// does; none on a system without it.
func processFamilies() []family {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return nil
	}
	// The command name (field 2) may hold spaces and parentheses: the
	// fields after its last ")" are 3 onwards.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return nil
	}
	f := strings.Fields(string(b[i+1:]))
	field := func(n int) float64 { // n as proc(5) numbers them
		if n-3 >= len(f) {
			return 0
		}
		v, _ := strconv.ParseFloat(f[n-3], 64)
		return v
	}
	fs := []family{
		{name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", typ: "counter",
			samples: []sample{{value: (field(14) + field(15)) / clockTicks}}},
		gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", field(23)),
		gauge("process_resident_memory_bytes", "Resident memory size in bytes.", field(24)*float64(os.Getpagesize())),
	}
	if boot, ok := bootTime(); ok {
		fs = append(fs, gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
			boot+field(22)/clockTicks))
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		fs = append(fs, gauge("process_open_fds", "Number of open file descriptors.", float64(len(fds))))
	}
	if n, ok := maxFDs(); ok {
		fs = append(fs, gauge("process_max_fds", "Maximum number of open file descriptors.", n))
	}
	return fs
}

// bootTime is the system's boot time in Unix seconds (/proc/stat's btime).
func bootTime() (float64, bool) { return procNumber("/proc/stat", "btime") }

// maxFDs is the soft limit on open files (/proc/self/limits).
func maxFDs() (float64, bool) { return procNumber("/proc/self/limits", "Max open files") }

// procNumber is the first number after prefix on the line of file that
// starts with it.
func procNumber(file, prefix string) (float64, bool) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, prefix+" "); ok {
			if f := strings.Fields(v); len(f) > 0 {
				n, err := strconv.ParseFloat(f[0], 64)
				return n, err == nil
			}
		}
	}
	return 0, false
}
