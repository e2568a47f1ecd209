// The seed article's rpcx server (rpcx-examples 102basic, with its own Arith in package main,
// as the article shows it): Arith.Mul multiplies and prints "C= N".
//
// One addition for the tests, outside the article's code path: "listening on ADDR" on stdout
// once the server accepts connections (the article starts it and waits by hand).
package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	example "github.com/rpcxio/rpcx-examples"
	"github.com/smallnest/rpcx/server"
)

var (
	addr = flag.String("addr", "localhost:8972", "server address")
)

type Arith struct{}

// 使用ebpf跟踪这个服务调用
func (t *Arith) Mul(ctx context.Context, args example.Args, reply *example.Reply) error {
	reply.C = args.A * args.B
	fmt.Println("C=", reply.C)
	return nil
}

func main() {
	flag.Parse()
	s := server.NewServer()
	s.RegisterName("Arith", new(Arith), "")
	go announce(s)
	err := s.Serve("tcp", *addr)
	if err != nil {
		panic(err)
	}
}

// announce prints "listening on ADDR" once s has its listener.
func announce(s *server.Server) {
	for s.Address() == nil {
		time.Sleep(time.Millisecond)
	}
	fmt.Printf("listening on %s\n", s.Address())
}
