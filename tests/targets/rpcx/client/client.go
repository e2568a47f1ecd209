// The seed article's rpcx client (rpcx-examples 102basic): calls Arith.Mul with A=10, B=20
// over rpcx with JSON serialization, once a second, logging "10 * 20 = 200" to stderr.
//
// Additions for the tests and the demo:
//
//	-n N      make N calls, then exit (0: until SIGINT/SIGTERM, the article's endless loop)
//	-rate R   calls per second (default 1, the article's; 0: as fast as possible)
//	-q        no log line per call
//
// Ends with exactly "calls=N errors=E" on stdout; exit 0 only if E is 0. A call is an error
// if rpcx reports one or the reply is not A*B (the article's client exits at the first error).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	example "github.com/rpcxio/rpcx-examples"
	"github.com/smallnest/rpcx/client"
	"github.com/smallnest/rpcx/protocol"
)

var (
	addr  = flag.String("addr", "localhost:8972", "server address")
	n     = flag.Int("n", 0, "number of calls (0: until SIGINT/SIGTERM)")
	rate  = flag.Float64("rate", 1, "calls per second (0: as fast as possible)")
	quiet = flag.Bool("q", false, "no log line per call")
)

func main() {
	flag.Parse()
	if *n < 0 || *rate < 0 {
		fmt.Fprintln(os.Stderr, "rpcx-client: -n and -rate must not be negative")
		os.Exit(2)
	}
	var stop int32
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		atomic.StoreInt32(&stop, 1)
	}()

	d, _ := client.NewPeer2PeerDiscovery("tcp@"+*addr, "")
	opt := client.DefaultOption
	opt.SerializeType = protocol.JSON
	xclient := client.NewXClient("Arith", client.Failtry, client.RandomSelect, d, opt)

	args := example.Args{
		A: 10,
		B: 20,
	}
	var interval time.Duration
	if *rate > 0 {
		interval = time.Duration(float64(time.Second) / *rate)
	}
	start := time.Now()
	calls, errs := 0, 0
	for (*n == 0 || calls < *n) && atomic.LoadInt32(&stop) == 0 {
		if interval > 0 && calls > 0 {
			// Pace against the start time, so slow calls do not lower the rate.
			if d := time.Until(start.Add(time.Duration(calls) * interval)); d > 0 {
				time.Sleep(d)
			}
			if atomic.LoadInt32(&stop) != 0 {
				break
			}
		}
		calls++
		reply := &example.Reply{}
		err := xclient.Call(context.Background(), "Mul", args, reply)
		if err == nil && reply.C != args.A*args.B {
			err = fmt.Errorf("got %d, want %d", reply.C, args.A*args.B)
		}
		if err != nil {
			errs++
			log.Printf("failed to call: %v", err)
			time.Sleep(10 * time.Millisecond) // do not spin on a dead server
			continue
		}
		if !*quiet {
			log.Printf("%d * %d = %d", args.A, args.B, reply.C)
		}
	}
	xclient.Close()
	fmt.Printf("calls=%d errors=%d\n", calls, errs)
	if errs != 0 {
		os.Exit(1)
	}
}
