// A short, busy program for decoder tests: many goroutines and threads (locked goroutines, blocking
// syscalls), channels, mutexes, sleeps, GC, user tasks/regions/logs and short generations, so the
// ordering sees a wide frontier (more than 12 threads) and every common event type.
package main

import (
	"context"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

var sink []byte

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	defer trace.Stop()
	runtime.GOMAXPROCS(4)
	ctx, task := trace.NewTask(context.Background(), "busy")
	defer task.End()
	var wg sync.WaitGroup
	ch := make(chan int, 1)
	var mu sync.Mutex
	deadline := time.Now().Add(80 * time.Millisecond)
	for w := 0; w < 24; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			if w%2 == 0 {
				runtime.LockOSThread()
			}
			for i := 0; time.Now().Before(deadline); i++ {
				trace.WithRegion(ctx, "work", func() {
					sink = make([]byte, 1<<11)
					mu.Lock()
					mu.Unlock()
				})
				select {
				case ch <- i:
				case <-ch:
				}
				if i%13 == 0 {
					if f, err := os.Open("/dev/null"); err == nil {
						f.Read(make([]byte, 1))
						f.Close()
					}
				}
				if i%50 == 0 {
					time.Sleep(20 * time.Microsecond)
				}
				if i%500 == 0 {
					trace.Log(ctx, "iter", "x")
					go runtime.Gosched()
				}
			}
		}(w)
	}
	wg.Wait()
	// Idle for a few advance periods. While 24 goroutines spin on a loaded machine the runtime's
	// trace advancer can starve (2 generations in 80 ms seen under load, 5 on a quiet machine);
	// with the Ps idle its timer fires on time, so the trace always crosses several generation
	// boundaries, which the test counts on.
	time.Sleep(40 * time.Millisecond)
}
