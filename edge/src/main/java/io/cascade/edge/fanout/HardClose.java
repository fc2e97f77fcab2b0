package io.cascade.edge.fanout;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Ends a viewer's HTTP connection at once, with a reset. A plain close waits for what is queued: Vert.x lets an
 * HTTP/1.x response drain first, and Netty's WebSocket handler sends a close frame and closes only once it is
 * written. For a viewer that stopped reading neither ever happens, and the connection would stay open for good with
 * its buffers. So the close starts below every handler of the pipeline, and SO_LINGER 0 drops what the kernel
 * still holds for the peer.
 */
public final class HardClose {
    private HardClose() {
    }

    public static void now(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase c)) {
            connection.close();
            return;
        }
        Channel channel = c.channel();
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
        ChannelHandlerContext first = channel.pipeline().firstContext();
        if (first != null) {
            first.close(); // from the first handler towards the socket: no handler after it can hold the close back
        } else {
            channel.close();
        }
    }
}
