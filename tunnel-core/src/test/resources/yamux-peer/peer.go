// Command peer is HashiCorp's Go yamux on loopback TCP, driven by the Java interop tests.
//
//	peer server                       listen on 127.0.0.1:0, print "LISTEN <addr>", serve one session
//	peer client <addr> echo <n> <size> open n streams, echo size random bytes on each, verify SHA-256
//	peer client <addr> halfclose <size> ask the server to send size bytes and FIN, then reply "OK"
//
// Streams opened towards the server start with a command byte:
//
//	'E' echo until EOF, then close (FIN)
//	'S' read until EOF, reply the hex SHA-256 of what was read plus "\n", then close
//	'R' print "READY", read until an error; print "RESET" on stdout if the stream was reset
//	'P' ping the other side, reply "PONG\n" (or "ERR ...\n"), then close
//
// The client prints "OK" and exits 0 on success, or prints "FAIL: ..." and exits 1.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"

	"github.com/hashicorp/yamux"
)

var stdout = struct {
	sync.Mutex
	w *bufio.Writer
}{w: bufio.NewWriter(os.Stdout)}

func say(format string, args ...interface{}) {
	stdout.Lock()
	defer stdout.Unlock()
	fmt.Fprintf(stdout.w, format+"\n", args...)
	stdout.w.Flush()
}

func config() *yamux.Config {
	c := yamux.DefaultConfig()
	c.MaxStreamWindowSize = 1024 * 1024
	c.LogOutput = os.Stderr
	return c
}

func main() {
	if len(os.Args) < 2 {
		say("FAIL: usage")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "server":
		server()
	case "client":
		if err := client(os.Args[2], os.Args[3], os.Args[4:]); err != nil {
			say("FAIL: %v", err)
			os.Exit(1)
		}
		say("OK")
	}
}

func server() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		say("FAIL: %v", err)
		os.Exit(1)
	}
	say("LISTEN %s", l.Addr())
	conn, err := l.Accept()
	if err != nil {
		say("FAIL: %v", err)
		os.Exit(1)
	}
	session, err := yamux.Server(conn, config())
	if err != nil {
		say("FAIL: %v", err)
		os.Exit(1)
	}
	for {
		stream, err := session.AcceptStream()
		if err != nil {
			say("CLOSED %v", err)
			return
		}
		go serve(session, stream)
	}
}

func serve(session *yamux.Session, stream *yamux.Stream) {
	cmd := make([]byte, 1)
	if _, err := io.ReadFull(stream, cmd); err != nil {
		say("ERR stream %d: %v", stream.StreamID(), err)
		return
	}
	switch cmd[0] {
	case 'E':
		io.Copy(stream, stream)
		stream.Close()
	case 'S':
		h := sha256.New()
		if _, err := io.Copy(h, stream); err != nil {
			say("ERR sink %d: %v", stream.StreamID(), err)
		}
		stream.Write([]byte(hex.EncodeToString(h.Sum(nil)) + "\n"))
		stream.Close()
	case 'R':
		say("READY %d", stream.StreamID())
		_, err := io.Copy(io.Discard, stream)
		if err == yamux.ErrConnectionReset {
			say("RESET %d", stream.StreamID())
		} else {
			say("NORESET %d %v", stream.StreamID(), err)
		}
	case 'P':
		if rtt, err := session.Ping(); err != nil {
			stream.Write([]byte("ERR " + err.Error() + "\n"))
		} else if rtt > 0 {
			stream.Write([]byte("PONG\n"))
		}
		stream.Close()
	default:
		say("ERR unknown command %q", cmd[0])
		stream.Close()
	}
}

func client(addr, scenario string, args []string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	session, err := yamux.Client(conn, config())
	if err != nil {
		return err
	}
	defer session.Close()
	if _, err := session.Ping(); err != nil {
		return fmt.Errorf("ping: %v", err)
	}
	switch scenario {
	case "echo":
		n, _ := strconv.Atoi(args[0])
		size, _ := strconv.Atoi(args[1])
		return echoAll(session, n, size)
	case "halfclose":
		size, _ := strconv.Atoi(args[0])
		return halfClose(session, size)
	}
	return fmt.Errorf("unknown scenario %s", scenario)
}

func echoAll(session *yamux.Session, n, size int) error {
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() { errs <- echoOne(session, size) }()
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func echoOne(session *yamux.Session, size int) error {
	stream, err := session.OpenStream()
	if err != nil {
		return err
	}
	defer stream.Close()
	data := make([]byte, size)
	rand.Read(data)
	werr := make(chan error, 1)
	go func() {
		_, err := stream.Write(append([]byte{'E'}, data...))
		werr <- err
	}()
	back := make([]byte, size)
	if _, err := io.ReadFull(stream, back); err != nil {
		return fmt.Errorf("stream %d read: %v", stream.StreamID(), err)
	}
	if err := <-werr; err != nil {
		return fmt.Errorf("stream %d write: %v", stream.StreamID(), err)
	}
	if sha256.Sum256(back) != sha256.Sum256(data) {
		return fmt.Errorf("stream %d: echo differs", stream.StreamID())
	}
	return nil
}

// halfClose asks the server ('G' + 4-byte size) to send a SHA-256 and size bytes, then FIN;
// after reading to EOF it answers "OK" on the same stream (data after the peer's FIN).
func halfClose(session *yamux.Session, size int) error {
	stream, err := session.OpenStream()
	if err != nil {
		return err
	}
	req := []byte{'G', 0, 0, 0, 0}
	binary.BigEndian.PutUint32(req[1:], uint32(size))
	if _, err := stream.Write(req); err != nil {
		return err
	}
	all, err := io.ReadAll(stream)
	if err != nil {
		return fmt.Errorf("read to EOF: %v", err)
	}
	if len(all) != 32+size {
		return fmt.Errorf("got %d bytes, want %d", len(all), 32+size)
	}
	sum := sha256.Sum256(all[32:])
	if !bytes.Equal(sum[:], all[:32]) {
		return fmt.Errorf("checksum differs")
	}
	if _, err := stream.Write([]byte("OK\n")); err != nil {
		return fmt.Errorf("write after peer FIN: %v", err)
	}
	return stream.Close()
}
