package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// buildCopbot builds the copbot binary of the module the tool runs in.
func buildCopbot(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		return "", fmt.Errorf("finding the module (run from the copbot repository): %v", err)
	}
	bin := filepath.Join(dir, "copbot")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(out)))
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	return bin, nil
}

// server is a process under test: copbot serve, or the baseline.
type server struct {
	cmd   *exec.Cmd
	url   string // http://127.0.0.1:port
	ready time.Duration
	exit  chan struct{} // closed once the process is reaped
	gc    *gcWatcher    // copbot's stderr, for its Go heap (nil for the baseline)
}

// startServer runs cmd (already given its arguments, env and perhaps its
// stderr), which must
// listen on addr, and waits until GET /healthz answers 200 or the limit.
// The server is another process, so readiness shows only from outside:
// the loop polls /healthz every 2 ms (the one sleep the load tool keeps;
// the time to ready it reports is measured with that resolution).
func startServer(ctx context.Context, cmd *exec.Cmd, addr string) (*server, error) {
	cmd.Stdout = os.Stderr
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, url: "http://" + addr, exit: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(s.exit)
	}()
	client := &http.Client{Timeout: time.Second}
	for time.Since(t0) < 30*time.Second {
		select {
		case <-s.exit:
			return nil, fmt.Errorf("%s exited before it was ready: %v", cmd.Path, cmd.ProcessState)
		case <-ctx.Done():
			s.kill()
			return nil, ctx.Err()
		default:
		}
		if resp, err := client.Get(s.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.ready = time.Since(t0)
				return s, nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.kill()
	return nil, errors.New("server not ready after 30s")
}

// kill ends the process with SIGKILL (nothing is flushed) and reaps it.
// Like stop, it may be called again once the process is gone.
func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.exit
}

// stop ends the process with SIGINT, as an operator would.
func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exit:
	case <-time.After(20 * time.Second):
		s.kill()
	}
}

// procStat is what /proc tells about a process.
type procStat struct {
	cpu   time.Duration // user + system
	hwmKB int64         // peak resident set (VmHWM)
	rssKB int64         // resident set now (VmRSS)
}

// clockTick is USER_HZ, 100 on every Linux the tool runs on.
const clockTick = 10 * time.Millisecond

func readProc(pid int) (procStat, error) {
	var st procStat
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return st, err
	}
	// Fields after the command name (which may hold spaces) start at ") ".
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	st.cpu = time.Duration(utime+stime) * clockTick
	file, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return st, err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			st.hwmKB = n
		case "VmRSS":
			st.rssKB = n
		}
	}
	return st, sc.Err()
}

// resetPeak restarts VmHWM from the current RSS, so that each phase
// reports its own peak. Kernels that refuse leave the lifetime peak.
func resetPeak(pid int) {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}
