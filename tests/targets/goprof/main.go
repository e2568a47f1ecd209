// goprof: a Go program whose time goes to known places, for the stack tools
// (profile, offcputime, stackcount, wakeuptime) and their pprof, SVG and JSON outputs.
//
//	goprof cpu                spin in main.hotLoop, which calls main.mix (inlined)
//	goprof sleep MS           goroutine main.sleeper parks in time.Sleep(MS) in a loop
//	goprof syscall MS         goroutine main.blocker blocks its thread in nanosleep(MS)
//	goprof chan MS            main.receiver waits on a channel main.sender fills every MS
//	goprof mix MS             all of the above at once
//
// It prints "ready PID" when the workers run, then runs until killed.
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

var sink uint64

// mix is small enough for the compiler to inline into hotLoop: profiles must show it as
// its own frame above hotLoop, from the pclntab inline tree.
func mix(x uint64) uint64 {
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	return x
}

//go:noinline
func hotLoop() {
	x := uint64(88172645463325252)
	for {
		for i := 0; i < 1000000; i++ {
			x = mix(x)
		}
		sink += x
	}
}

//go:noinline
func sleeper(d time.Duration) {
	for {
		time.Sleep(d)
	}
}

//go:noinline
func blocker(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for {
		// A raw syscall: the thread itself blocks, the goroutine stays on it.
		syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
	}
}

//go:noinline
func receiver(c chan int) {
	for v := range c {
		sink += uint64(v)
	}
}

//go:noinline
func sender(c chan int, d time.Duration) {
	for i := 0; ; i++ {
		time.Sleep(d)
		c <- i
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: goprof cpu|sleep MS|syscall MS|chan MS|mix MS")
		os.Exit(2)
	}
	ms := 100
	if len(os.Args) > 2 {
		v, err := strconv.Atoi(os.Args[2])
		if err != nil || v <= 0 {
			fmt.Fprintln(os.Stderr, "goprof: bad MS")
			os.Exit(2)
		}
		ms = v
	}
	d := time.Duration(ms) * time.Millisecond
	mode := os.Args[1]
	all := mode == "mix"
	if mode == "cpu" || all {
		go hotLoop()
	}
	if mode == "sleep" || all {
		go sleeper(d)
	}
	if mode == "syscall" || all {
		go blocker(d)
	}
	if mode == "chan" || all {
		c := make(chan int)
		go receiver(c)
		go sender(c, d)
	}
	fmt.Printf("ready %d\n", os.Getpid())
	select {}
}
