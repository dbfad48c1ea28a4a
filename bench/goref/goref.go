// Command goref is a reference reverse tunnel with frp's data path: Go crypto/tls plus HashiCorp
// yamux with a 6 MiB stream window, one TLS connection, one yamux stream per public connection.
// bench/compare.sh builds it offline and measures it next to tls-tunnel.
//
//	goref server -listen ADDR -cert FILE -key FILE -public ADDR[,ADDR...]
//	goref client -server ADDR -ca FILE -local ADDR[,ADDR...]
//
// The server accepts one client on -listen (a later client replaces it), then listens on every
// -public address. Each public connection opens a stream whose first byte is the index of its
// public address; the client dials the -local address with that index and copies both ways, with
// half-close (a FIN on one side becomes a FIN on the other).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/yamux"
)

// The stream window frp uses (its transport.MaxStreamWindowSize default).
const streamWindow = 6 * 1024 * 1024

func muxConfig() *yamux.Config {
	c := yamux.DefaultConfig()
	c.MaxStreamWindowSize = streamWindow
	c.KeepAliveInterval = 30 * time.Second
	c.LogOutput = io.Discard
	return c
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: goref server|client [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "server":
		err = server(os.Args[2:])
	case "client":
		err = client(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q (server or client)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "goref:", err)
		os.Exit(1)
	}
}

func server(args []string) error {
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	listen := fs.String("listen", "", "tunnel address")
	certFile := fs.String("cert", "", "PEM certificate")
	keyFile := fs.String("key", "", "PEM private key")
	public := fs.String("public", "", "public addresses, comma-separated")
	fs.Parse(args)
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		return err
	}
	ln, err := tls.Listen("tcp", *listen, &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return err
	}
	log.Printf("tunnel listening on %s", ln.Addr())
	var current atomic.Value // *yamux.Session
	for i, addr := range strings.Split(*public, ",") {
		pl, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		log.Printf("public %d listening on %s", i, pl.Addr())
		go servePublic(pl, byte(i), &current)
	}
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		// A connection that is not a TLS client (a port probe) must not replace the session.
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		if err := conn.(*tls.Conn).Handshake(); err != nil {
			conn.Close()
			continue
		}
		conn.SetDeadline(time.Time{})
		session, err := yamux.Client(conn, muxConfig())
		if err != nil {
			conn.Close()
			continue
		}
		if old, ok := current.Load().(*yamux.Session); ok {
			old.Close()
		}
		current.Store(session)
		log.Printf("client %s connected", conn.RemoteAddr())
	}
}

func servePublic(ln net.Listener, index byte, current *atomic.Value) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			log.Printf("public %d: %v", index, err)
			return
		}
		go func() {
			session, ok := current.Load().(*yamux.Session)
			if !ok {
				conn.Close()
				return
			}
			stream, err := session.OpenStream()
			if err != nil {
				conn.Close()
				return
			}
			if _, err := stream.Write([]byte{index}); err != nil {
				conn.Close()
				stream.Close()
				return
			}
			join(conn.(*net.TCPConn), stream)
		}()
	}
}

func client(args []string) error {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	serverAddr := fs.String("server", "", "tunnel server address")
	caFile := fs.String("ca", "", "PEM certificate to trust")
	local := fs.String("local", "", "local addresses, comma-separated")
	fs.Parse(args)
	pem, err := os.ReadFile(*caFile)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s: no certificate", *caFile)
	}
	host, _, err := net.SplitHostPort(*serverAddr)
	if err != nil {
		return err
	}
	locals := strings.Split(*local, ",")
	conn, err := tls.Dial("tcp", *serverAddr, &tls.Config{RootCAs: roots, ServerName: host})
	if err != nil {
		return err
	}
	session, err := yamux.Server(conn, muxConfig())
	if err != nil {
		return err
	}
	log.Printf("connected to %s", *serverAddr)
	for {
		stream, err := session.AcceptStream()
		if err != nil {
			return err
		}
		go serveStream(stream, locals)
	}
}

func serveStream(stream *yamux.Stream, locals []string) {
	var index [1]byte
	if _, err := io.ReadFull(stream, index[:]); err != nil || int(index[0]) >= len(locals) {
		stream.Close()
		return
	}
	conn, err := net.Dial("tcp", locals[index[0]])
	if err != nil {
		stream.Close()
		return
	}
	join(conn.(*net.TCPConn), stream)
}

// join copies both ways until both directions ended; a FIN is passed on as a FIN.
func join(conn *net.TCPConn, stream *yamux.Stream) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		copyBuffered(stream, conn)
		stream.Close() // yamux Close sends FIN; the stream stays readable
	}()
	go func() {
		defer wg.Done()
		copyBuffered(conn, stream)
		conn.CloseWrite()
	}()
	wg.Wait()
	conn.Close()
	stream.Close()
}

var buffers = sync.Pool{New: func() interface{} { b := make([]byte, 16*1024); return &b }}

// copyBuffered is io.CopyBuffer with a pooled 16 KiB buffer, as frp's io.Join does.
func copyBuffered(dst io.Writer, src io.Reader) {
	b := buffers.Get().(*[]byte)
	defer buffers.Put(b)
	if _, err := io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, *b); err != nil &&
		!errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		log.Printf("copy: %v", err)
	}
}
