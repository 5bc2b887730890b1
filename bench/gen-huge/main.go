// gen-huge runs a busy, varied Go workload under runtime/trace and stops once the trace written
// reaches a requested size. It exists to give the benchmarks a real trace of any size (≥ 2 GB
// included) that exercises the scheduler, GC, timers, syscalls and user annotations.
//
//	go build -o ../out/gen-huge . && ../out/gen-huge -bytes 2GiB -o ../out/huge.trace
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// countingWriter counts what the tracer writes and signals once the limit is reached. The tracer
// writes from a single goroutine, so only the counter (read by the progress reporter) is atomic.
type countingWriter struct {
	out       *bufio.Writer
	written   atomic.Int64
	limit     int64
	reached   chan struct{}
	closeOnce sync.Once
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.out.Write(p)
	if w.written.Add(int64(n)) >= w.limit {
		w.closeOnce.Do(func() { close(w.reached) })
	}
	return n, err
}

func parseSize(text string) (int64, error) {
	units := []struct {
		suffix string
		factor int64
	}{
		{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
		{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1},
	}
	trimmed := strings.TrimSpace(text)
	for _, unit := range units {
		if strings.HasSuffix(strings.ToUpper(trimmed), strings.ToUpper(unit.suffix)) {
			number := strings.TrimSpace(trimmed[:len(trimmed)-len(unit.suffix)])
			value, err := strconv.ParseFloat(number, 64)
			if err != nil || value <= 0 {
				return 0, fmt.Errorf("bad size %q", text)
			}
			return int64(value * float64(unit.factor)), nil
		}
	}
	value, err := strconv.ParseInt(trimmed, 10, 64)
	if err != nil || value <= 0 {
		return 0, fmt.Errorf("bad size %q (use e.g. 200MB, 2GiB or a byte count)", text)
	}
	return value, nil
}

type workload struct {
	stop      atomic.Bool
	wg        sync.WaitGroup
	annotated atomic.Int64 // iterations between user annotations are counted here
	every     int64
}

func (w *workload) running() bool { return !w.stop.Load() }

func (w *workload) spawn(count int, body func(id int)) {
	for i := 0; i < count; i++ {
		w.wg.Add(1)
		go func(id int) {
			defer w.wg.Done()
			body(id)
		}(i)
	}
}

// annotate emits a task with a region and a log on one iteration in `every`, so user events are
// present in every generation without dominating the trace.
func (w *workload) annotate(kind string, id int, work func()) {
	if w.annotated.Add(1)%w.every != 0 {
		work()
		return
	}
	ctx, task := trace.NewTask(context.Background(), kind)
	trace.Logf(ctx, "worker", "%s %d", kind, id)
	trace.WithRegion(ctx, kind+"-step", work)
	task.End()
}

// deepen calls work at a varying stack depth so the stack table holds many distinct stacks.
//
//go:noinline
func deepen(depth int, work func()) {
	if depth <= 0 {
		work()
		return
	}
	deepen(depth-1, work)
}

// pingPong: pairs of goroutines handing a token over unbuffered channels (block/unblock storms).
func (w *workload) pingPong(pairs int) {
	for p := 0; p < pairs; p++ {
		ping, pong := make(chan int), make(chan int)
		w.wg.Add(2)
		go func(id int) {
			defer w.wg.Done()
			defer close(ping)
			for n := 0; w.running(); n++ {
				w.annotate("pingpong", id, func() {
					deepen(n%7, func() {
						ping <- n
						<-pong
					})
					// A hand-off goes straight to the partner (runnext), which would starve every
					// other workload on 2 Ps; yielding now and then keeps the mix realistic.
					if n%64 == 0 {
						runtime.Gosched()
					}
				})
			}
		}(p)
		go func() {
			defer w.wg.Done()
			for n := range ping {
				pong <- n + 1
			}
		}()
	}
}

// contention: goroutines fighting over one mutex and a condition-free shared counter.
func (w *workload) contention(workers int) {
	var mu sync.Mutex
	shared := make(map[int]int, 1024)
	w.spawn(workers, func(id int) {
		for n := 0; w.running(); n++ {
			w.annotate("mutex", id, func() {
				mu.Lock()
				// Long enough under the lock that waiters give up spinning and park.
				for k := 0; k < 512; k++ {
					shared[(id*131+n+k)%1024]++
				}
				mu.Unlock()
				if n%64 == 0 {
					runtime.Gosched()
				}
			})
		}
	})
}

// churn: allocation-heavy goroutines keeping a rotating live set, so the GC runs often and mark
// assists happen.
func (w *workload) churn(workers int) {
	w.spawn(workers, func(id int) {
		live := make([][]byte, 256)
		for n := 0; w.running(); n++ {
			w.annotate("alloc", id, func() {
				size := 64 + (n*37)%8192
				buf := make([]byte, size)
				buf[0] = byte(n)
				live[n%len(live)] = buf
			})
		}
	})
}

// timers: goroutines sleeping for short, varied durations and waiting on timer channels via select.
func (w *workload) timers(workers int) {
	w.spawn(workers, func(id int) {
		tick := time.NewTicker(time.Duration(50+id*7) * time.Microsecond)
		defer tick.Stop()
		for n := 0; w.running(); n++ {
			w.annotate("timer", id, func() {
				if n%2 == 0 {
					time.Sleep(time.Duration(10+(n*id)%200) * time.Microsecond)
					return
				}
				select {
				case <-tick.C:
				case <-time.After(time.Duration(20+n%100) * time.Microsecond):
				}
			})
		}
	})
}

// syscalls: raw write(2)/read(2) on blocking pipes, so syscall enter/exit events (and P hand-offs
// when a read blocks in the kernel) appear.
func (w *workload) syscalls(pairs int) error {
	for p := 0; p < pairs; p++ {
		var fds [2]int
		if err := syscall.Pipe(fds[:]); err != nil {
			return fmt.Errorf("pipe: %w", err)
		}
		readFD, writeFD := fds[0], fds[1]
		w.wg.Add(2)
		go func(id int) {
			defer w.wg.Done()
			defer syscall.Close(writeFD)
			payload := []byte("schedscope-bench-payload")
			for n := 0; w.running(); n++ {
				w.annotate("syscall", id, func() {
					if _, err := syscall.Write(writeFD, payload[:1+n%len(payload)]); err != nil {
						panic(err)
					}
				})
			}
		}(p)
		go func() {
			defer w.wg.Done()
			defer syscall.Close(readFD)
			buf := make([]byte, 4096)
			for {
				n, err := syscall.Read(readFD, buf)
				if n <= 0 || err != nil {
					return
				}
			}
		}()
	}
	return nil
}

// fanIn: short-lived goroutines created in bursts and joined, for create/start/end events.
func (w *workload) fanIn(spawners int) {
	w.spawn(spawners, func(id int) {
		results := make(chan int, 16)
		for n := 0; w.running(); n++ {
			w.annotate("spawn", id, func() {
				for k := 0; k < 8; k++ {
					go func(v int) { results <- v * v }(k)
				}
				sum := 0
				for k := 0; k < 8; k++ {
					sum += <-results
				}
				_ = sum
			})
		}
	})
}

func run() error {
	sizeFlag := flag.String("bytes", "200MB", "stop once the trace reaches this size (e.g. 200MB, 2GiB, or a byte count)")
	outFlag := flag.String("o", "", "output trace file (required)")
	annotateEvery := flag.Int64("annotate-every", 5000, "emit a user task/region/log once per this many work iterations")
	timeout := flag.Duration("timeout", 30*time.Minute, "give up if the size is not reached within this time")
	quiet := flag.Bool("q", false, "no progress lines")
	flag.Parse()
	if *outFlag == "" {
		return errors.New("-o <file> is required")
	}
	limit, err := parseSize(*sizeFlag)
	if err != nil {
		return err
	}

	file, err := os.Create(*outFlag)
	if err != nil {
		return err
	}
	defer file.Close()
	buffered := bufio.NewWriterSize(file, 4<<20)
	counter := &countingWriter{out: buffered, limit: limit, reached: make(chan struct{})}

	load := &workload{every: max(*annotateEvery, 1)}
	start := time.Now()
	if err := trace.Start(counter); err != nil {
		return err
	}
	load.pingPong(8)
	load.contention(6)
	load.churn(2)
	load.timers(8)
	if err := load.syscalls(1); err != nil {
		return err
	}
	load.fanIn(2)

	progress := time.NewTicker(5 * time.Second)
	defer progress.Stop()
	deadline := time.After(*timeout)
	timedOut := false
wait:
	for {
		select {
		case <-counter.reached:
			break wait
		case <-deadline:
			timedOut = true
			break wait
		case <-progress.C:
			if !*quiet {
				written := counter.written.Load()
				elapsed := time.Since(start).Seconds()
				fmt.Fprintf(os.Stderr, "gen-huge: %7.1f MB in %5.1fs (%.1f MB/s)\n",
					float64(written)/1e6, elapsed, float64(written)/1e6/elapsed)
			}
		}
	}

	// Quiesce the workload first so the tail written by trace.Stop stays small.
	load.stop.Store(true)
	joined := make(chan struct{})
	go func() { load.wg.Wait(); close(joined) }()
	select {
	case <-joined:
	case <-time.After(2 * time.Second):
	}
	trace.Stop()
	if err := buffered.Flush(); err != nil {
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	elapsed := time.Since(start).Seconds()
	written := counter.written.Load()
	fmt.Printf("{\"path\":%q,\"bytes\":%d,\"seconds\":%.3f,\"mbPerSec\":%.2f}\n",
		*outFlag, written, elapsed, float64(written)/1e6/elapsed)
	if timedOut {
		return fmt.Errorf("timed out after %s with %d of %d bytes", *timeout, written, limit)
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen-huge:", err)
		os.Exit(1)
	}
}
