// gostress makes a traced Go function, main.f, live through everything that breaks naive
// Go tracing: stack growth (the stack is copied and SP moves while f is on it), morestack
// re-entry of f's own prologue, parking while the GC shrinks stacks, and thread migration.
//
//	gostress -mode grow|sleep|yield|leaf|big|spin|mix [-n N] [-g G] [-depth D]
//	         [-spin M] [-delay SECS] [-wait-stdin] [-goids]
//
// G goroutines call f N times in total (N/G each, the remainder spread over the first ones).
// In every mode f's frame is about 6 KB, so its prologue is the large-frame stack check.
//
//	grow   f recurses through grow() (1 KB frames, D levels) on a fresh goroutine: the stack
//	       grows, and is copied, while f is on it.
//	sleep  f sleeps 1 ms while another goroutine runs runtime.GC() in a loop (stack shrinking).
//	yield  f calls runtime.Gosched() 10 times (the goroutine may resume on another thread).
//	leaf   f returns at once (the cheapest call: per-hit cost benchmarks).
//	big    f touches its 6 KB frame and runs on a fresh goroutine, whose 2 KB stack is too
//	       small: f's prologue calls morestack and f is entered a second time.
//	spin   f runs a loop without any call for M million iterations (-spin, default 40:
//	       tens of ms), so the runtime preempts it asynchronously (SIGURG) in the middle of
//	       f and it may resume on another thread. Not part of mix (it is slow).
//	mix    call k uses mode k%5 of grow, sleep, yield, leaf, big.
//
// Starting: by default the calls start at once. With -wait-stdin, gostress prints "ready"
// and waits for one line (or EOF) on stdin; with -delay SECS it prints "ready" and sleeps
// SECS. Either lets a tracer attach first. At the end it prints exactly "calls=N", N being
// the number of executions of f's body (an atomic counter), and exits 0. With -goids it
// first prints "goid=ID calls=K" for each of the G goroutines, K being the calls of f it made
// itself (in leaf, sleep, yield and spin; grow and big call f on fresh goroutines): a
// tracer's goroutine id can be checked against the runtime's own.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var (
	calls int64 // executions of f's body
	sink  int64 // keeps f's results alive
	modes = []string{"grow", "sleep", "yield", "leaf", "big"}
	spinM = 40 // -spin: millions of iterations of the call-free loop of mode spin
)

// f is the function the tests trace. It must stay a real call with its own frame.
//
//go:noinline
func f(mode string, depth int) int {
	atomic.AddInt64(&calls, 1)
	switch mode {
	case "grow":
		return grow(depth)
	case "sleep":
		time.Sleep(time.Millisecond)
		return depth
	case "yield":
		for i := 0; i < 10; i++ {
			runtime.Gosched()
		}
		return depth
	case "spin":
		x := depth
		for i := 0; i < spinM*1000000; i++ {
			x = x*1664525 + 1013904223 // no call, no preemption point
		}
		return x & 0xff
	case "big":
		var buf [6 << 10]byte
		buf[depth%len(buf)] = byte(depth)
		buf[len(buf)-1-depth%len(buf)] ^= 1
		return int(buf[(depth*7)%len(buf)]) + int(buf[len(buf)-1])
	}
	return depth
}

// grow recurses depth levels with a 1 KB frame each.
//
//go:noinline
func grow(depth int) int {
	var pad [1 << 10]byte
	pad[depth%len(pad)] = byte(depth)
	if depth <= 0 {
		return int(pad[0])
	}
	return grow(depth-1) + int(pad[(depth*3)%len(pad)])
}

// onFreshGoroutine runs f on a new goroutine (a new, minimum-size stack) and waits for it.
func onFreshGoroutine(mode string, depth int) int {
	done := make(chan int)
	go func() { done <- f(mode, depth) }()
	return <-done
}

func call(mode string, depth int) int {
	if mode == "grow" || mode == "big" {
		return onFreshGoroutine(mode, depth)
	}
	return f(mode, depth)
}

// goid is the current goroutine's id, from the first line of its stack trace
// ("goroutine 18 [running]:"), the only way the runtime tells it.
func goid() int64 {
	var buf [64]byte
	line := buf[:runtime.Stack(buf[:], false)]
	line = bytes.TrimPrefix(line, []byte("goroutine "))
	if i := bytes.IndexByte(line, ' '); i > 0 {
		line = line[:i]
	}
	id, err := strconv.ParseInt(string(line), 10, 64)
	if err != nil {
		return -1
	}
	return id
}

func main() {
	mode := flag.String("mode", "leaf", "grow|sleep|yield|leaf|big|mix")
	n := flag.Int("n", 1000, "calls of f in total")
	g := flag.Int("g", 4, "goroutines calling f")
	depth := flag.Int("depth", 16, "recursion depth of grow (1 KB per level)")
	flag.IntVar(&spinM, "spin", spinM, "millions of loop iterations per call in mode spin")
	delay := flag.Float64("delay", 0, `print "ready", then wait SECS before calling`)
	waitStdin := flag.Bool("wait-stdin", false, `print "ready", then wait for a line on stdin`)
	goids := flag.Bool("goids", false, `print "goid=ID calls=K" for each calling goroutine`)
	flag.Parse()

	valid := *mode == "mix" || *mode == "spin"
	for _, m := range modes {
		valid = valid || *mode == m
	}
	if !valid || *n < 0 || *g < 1 || *depth < 0 || spinM < 0 || *delay < 0 {
		fmt.Fprintln(os.Stderr, "usage: gostress -mode grow|sleep|yield|leaf|big|spin|mix [-n N>=0] [-g G>=1] [-depth D>=0] [-spin M>=0] [-delay SECS] [-wait-stdin] [-goids]")
		os.Exit(2)
	}

	if *waitStdin || *delay > 0 {
		fmt.Println("ready")
		if *waitStdin {
			bufio.NewReader(os.Stdin).ReadString('\n')
		} else {
			time.Sleep(time.Duration(*delay * float64(time.Second)))
		}
	}

	stopGC := make(chan struct{})
	gcDone := make(chan struct{})
	if *mode == "sleep" || *mode == "mix" {
		go func() {
			defer close(gcDone)
			for {
				select {
				case <-stopGC:
					return
				default:
				}
				runtime.GC()
				time.Sleep(200 * time.Microsecond)
			}
		}()
	} else {
		close(gcDone)
	}

	var wg sync.WaitGroup
	ids := make([]int64, *g)
	first := 0
	for w := 0; w < *g; w++ {
		share := *n / *g
		if w < *n%*g {
			share++
		}
		wg.Add(1)
		go func(w, first, share int) {
			defer wg.Done()
			ids[w] = goid()
			sum := 0
			for k := first; k < first+share; k++ {
				m := *mode
				if m == "mix" {
					m = modes[k%len(modes)]
				}
				sum += call(m, *depth)
			}
			atomic.AddInt64(&sink, int64(sum))
		}(w, first, share)
		first += share
	}
	wg.Wait()
	for w := 0; *goids && w < *g; w++ {
		share := *n / *g
		if w < *n%*g {
			share++
		}
		fmt.Printf("goid=%d calls=%d\n", ids[w], share)
	}
	close(stopGC)
	<-gcDone
	fmt.Printf("calls=%d\n", atomic.LoadInt64(&calls))
}
