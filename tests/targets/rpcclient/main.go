// rpcclient calls Arith.Mul on rpcserver and checks every reply.
//
//	rpcclient [-addr HOST:PORT] [-n N] [-rate R] [-a A] [-b B] [-conns]
//
// -n N calls (0: until SIGINT/SIGTERM), -rate R calls per second (0: as fast as possible),
// -conns opens a new TCP connection for every call instead of one persistent connection.
// At the end prints exactly "calls=N errors=E" and exits 0 only if E is 0. A call is an
// error if it fails at the network level, the server reports an error, or C != A*B.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

type conn struct {
	c   net.Conn
	in  *bufio.Reader
	enc *json.Encoder
}

type request struct {
	Method string      `json:"method"`
	Args   interface{} `json:"args"`
}

type args struct{ A, B int }

type response struct {
	Reply struct{ C int } `json:"reply"`
	Error string          `json:"error"`
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, in: bufio.NewReader(c), enc: json.NewEncoder(c)}, nil
}

func (c *conn) mul(a, b int) (int, error) {
	c.c.SetDeadline(time.Now().Add(30 * time.Second))
	if err := c.enc.Encode(request{Method: "Arith.Mul", Args: args{a, b}}); err != nil {
		return 0, err
	}
	line, err := c.in.ReadBytes('\n')
	if err != nil {
		return 0, err
	}
	var resp response
	if err := json.Unmarshal(line, &resp); err != nil {
		return 0, err
	}
	if resp.Error != "" {
		return 0, fmt.Errorf("server: %s", resp.Error)
	}
	return resp.Reply.C, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8972", "server address")
	n := flag.Int("n", 1, "number of calls (0: until SIGINT/SIGTERM)")
	rate := flag.Float64("rate", 0, "calls per second (0: as fast as possible)")
	a := flag.Int("a", 10, "first argument")
	b := flag.Int("b", 20, "second argument")
	perCall := flag.Bool("conns", false, "a new TCP connection for every call")
	flag.Parse()
	if *n < 0 || *rate < 0 {
		fmt.Fprintln(os.Stderr, "rpcclient: -n and -rate must not be negative")
		os.Exit(2)
	}

	var stop int32
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		atomic.StoreInt32(&stop, 1)
	}()

	var interval time.Duration
	if *rate > 0 {
		interval = time.Duration(float64(time.Second) / *rate)
	}
	start := time.Now()
	calls, errs := 0, 0
	var c *conn
	for (*n == 0 || calls < *n) && atomic.LoadInt32(&stop) == 0 {
		if interval > 0 {
			// Pace against the start time so that slow calls do not lower the rate.
			if d := time.Until(start.Add(time.Duration(calls) * interval)); d > 0 {
				time.Sleep(d)
			}
		}
		calls++
		var err error
		if c == nil {
			c, err = dial(*addr)
		}
		if err == nil {
			var got int
			got, err = c.mul(*a, *b)
			if err == nil && got != *a**b {
				err = fmt.Errorf("got %d, want %d", got, *a**b)
			}
		}
		if err != nil {
			errs++
			fmt.Fprintf(os.Stderr, "rpcclient: call %d: %v\n", calls, err)
			time.Sleep(10 * time.Millisecond) // do not spin on a dead server
		}
		// A failed connection is not reused; -conns closes it after every call.
		if c != nil && (err != nil || *perCall) {
			c.c.Close()
			c = nil
		}
	}
	if c != nil {
		c.c.Close()
	}
	fmt.Printf("calls=%d errors=%d\n", calls, errs)
	if errs != 0 {
		os.Exit(1)
	}
}
