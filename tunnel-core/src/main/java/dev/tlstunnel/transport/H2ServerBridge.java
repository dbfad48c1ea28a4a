package dev.tlstunnel.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The server's side of the h2 transport: the first {@code CONNECT} request becomes the tunnel
 * (answered {@code 200}, the stream stays open both ways); every other request gets the {@link
 * Decoy}. The setup tail's deadline bounds the wait for the CONNECT.
 */
final class H2ServerBridge extends H2Bridge {
  private final Decoy decoy;
  private final ForwardedFor forwardedFor;
  private final Runnable ready;

  H2ServerBridge(Decoy decoy, ForwardedFor forwardedFor, Runnable ready) {
    super(null);
    this.decoy = decoy;
    this.forwardedFor = forwardedFor;
    this.ready = ready;
  }

  @Override
  void headers(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
    if (isTunnel(frame.stream())) {
      ctx.close(); // trailers: the client ended the tunnel stream
      return;
    }
    Http2Headers h = frame.headers();
    boolean connect = AsciiString.contentEquals("CONNECT", h.method());
    if (!hasTunnel() && connect && !frame.isEndStream()) {
      InetSocketAddress client =
          forwardedFor.client(
              Sockets.address(ctx.channel()),
              strings(h.getAll("x-forwarded-for")),
              strings(h.getAll("forwarded")));
      if (client != null) {
        PeerAddress.setForwarded(ctx.channel(), client);
      }
      tunnel(frame.stream());
      ctx.writeAndFlush(
          new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"))
              .stream(frame.stream()));
      ready.run();
      return;
    }
    boolean head = AsciiString.contentEquals("HEAD", h.method());
    ByteBuf body = decoy.body();
    Http2Headers response =
        new DefaultHttp2Headers()
            .status(String.valueOf(decoy.status()))
            .set("content-type", decoy.contentType())
            .setInt("content-length", body.readableBytes());
    ctx.write(new DefaultHttp2HeadersFrame(response, head).stream(frame.stream()));
    if (head) {
      body.release();
      ctx.flush();
    } else {
      ctx.writeAndFlush(new DefaultHttp2DataFrame(body, true).stream(frame.stream()));
    }
  }

  private static List<String> strings(List<CharSequence> values) {
    return values.stream().map(CharSequence::toString).toList();
  }
}
