package io.cascade.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A {@link SocketOutput} over a real socket, on Linux's epoll transport (where flushes write past Netty's queue) and on
 * the JDK's (where everything goes through the pipeline): the client receives exactly what was queued and sent, in
 * order, through bursts, heap buffers and a client that stops reading until the queue is full, and from a thread
 * other than the socket's event loop; the shared buffers are left as they were.
 */
class SocketOutputTest {
    private static final int WAIT_S = 20;
    /** What may wait in Netty's queue, where a test does not fill it: a node's default viewer queue. */
    private static final int QUEUE_BYTES = 2 << 20;

    /** The server's end of one connection, and the event loop everything on it runs on. */
    private record Accepted(Context context, Channel channel, SocketOutput output) {
        <T> T call(Callable<T> action) throws Exception {
            Promise<T> done = Promise.promise();
            context.runOnContext(v -> {
                try {
                    done.complete(action.call());
                } catch (Throwable e) {
                    done.fail(e);
                }
            });
            return done.future().toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
        }
    }

    private static Vertx vertx(boolean epoll) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(epoll));
        // a machine without epoll must fail here, not quietly test the JDK's transport twice
        assertEquals(epoll, vertx.isNativeTransportEnabled(), String.valueOf(vertx.unavailableNativeTransportCause()));
        return vertx;
    }

    /** A test of one connection: the server's end, and the client's socket the test reads from. */
    @FunctionalInterface
    private interface ConnectionTest {
        void run(Accepted server, Socket client) throws Exception;
    }

    private static void withConnection(boolean epoll, NetServerOptions options, int queueBytes, ConnectionTest test)
            throws Exception {
        Vertx vertx = vertx(epoll);
        Socket[] client = new Socket[1];
        try {
            test.run(accept(vertx, options, queueBytes, client), client[0]);
        } finally {
            if (client[0] != null) {
                client[0].close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
        }
    }

    private static Accepted accept(Vertx vertx, NetServerOptions options, int queueBytes, Socket[] client)
            throws Exception {
        Promise<Accepted> accepted = Promise.promise();
        NetServer server = vertx.createNetServer(options.setHost("127.0.0.1").setPort(0))
                .connectHandler(s -> {
                    var context = ((NetSocketInternal) s).channelHandlerContext();
                    accepted.tryComplete(new Accepted(vertx.getOrCreateContext(), context.channel(),
                            new SocketOutput(context, queueBytes)));
                });
        int port = server.listen().toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS).actualPort();
        client[0] = new Socket("127.0.0.1", port);
        client[0].setSoTimeout(WAIT_S * 1_000);
        return accepted.future().toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
    }

    /** {@code size} bytes no other frame of the test has in that order: the frame's number, then a count. */
    private static ByteBuf frame(int number, int size, boolean direct) {
        ByteBuf b = direct ? Unpooled.directBuffer(size) : Unpooled.buffer(size);
        for (int i = 0; i < size; i++) {
            b.writeByte(i < 4 ? number >>> (24 - 8 * i) : number * 31 + i);
        }
        return b;
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    private static byte[] read(Socket client, int n) throws IOException {
        byte[] got = new byte[n];
        new DataInputStream(client.getInputStream()).readFully(got);
        return got;
    }

    @ParameterizedTest(name = "epoll {0}")
    @ValueSource(booleans = {true, false})
    @Timeout(60)
    void sendsWhatWasQueuedAndSentInOrderAndLeavesSharedBuffersAlone(boolean epoll) throws Exception {
        withConnection(epoll, new NetServerOptions(), QUEUE_BYTES, (server, client) -> {
            assertEquals(epoll, server.call(() -> server.output().direct()), "flushes bypass Netty's queue on epoll only");
            List<ByteBuf> shared = new ArrayList<>();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            int frames = 3 * SocketOutput.MAX_QUEUED;
            server.call(() -> {
                for (int n = 0; n < frames; n++) {
                    // sizes from a few bytes to past the socket's first buffer; every 17th a heap buffer
                    ByteBuf f = frame(n, 5 + (n * 7919) % 40_000, n % 17 != 3);
                    shared.add(f);
                    expected.write(bytes(f));
                    server.output().queue(f);
                    if (n % 29 == 5) {
                        byte[] own = ("message " + n).getBytes();
                        expected.write(own);
                        server.output().send(own); // after what was queued, at once
                    }
                    if (n % 7 == 6) {
                        server.output().flush();
                    }
                }
                // the last 2 * MAX_QUEUED frames came without a flush between the 7s: the burst bound was crossed
                server.output().flush();
                return null;
            });
            byte[] want = expected.toByteArray();
            assertArrayEquals(want, read(client, want.length));
            for (ByteBuf f : shared) {
                assertEquals(0, f.readerIndex());
                assertEquals(1, f.refCnt());
            }
        });
    }

    @ParameterizedTest(name = "epoll {0}")
    @ValueSource(booleans = {true, false})
    @Timeout(60)
    void aClientThatStopsReadingFillsTheQueueThenGetsEverythingInOrder(boolean epoll) throws Exception {
        // small kernel buffers so the queue fills after a few hundred kilobytes
        withConnection(epoll, new NetServerOptions().setSendBufferSize(16 << 10), 256 << 10, (server, client) -> {
            client.setReceiveBufferSize(16 << 10);
            int frameBytes = 9_000;
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            // the client reads nothing: frames go out until the queue counts as full
            int written = server.call(() -> {
                for (int n = 0; n < 2_000; n++) {
                    ByteBuf f = frame(n, frameBytes, true);
                    expected.write(bytes(f));
                    server.output().queue(f);
                    server.output().flush();
                    if (server.output().full()) {
                        return n + 1;
                    }
                }
                return -1;
            });
            assertTrue(written > 0, "the queue never filled");
            byte[] first = expected.toByteArray();
            assertArrayEquals(first, read(client, first.length));
            // drained: Netty's queue empties, and what follows goes out directly again (on epoll)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (server.call(() -> server.channel().unsafe().outboundBuffer().totalPendingWriteBytes()) > 0) {
                if (System.nanoTime() > deadline) {
                    fail("Netty's queue never drained");
                }
                Thread.sleep(10);
            }
            ByteArrayOutputStream more = new ByteArrayOutputStream();
            server.call(() -> {
                for (int n = written; n < written + 50; n++) {
                    ByteBuf f = frame(n, frameBytes, true);
                    more.write(bytes(f));
                    server.output().queue(f);
                }
                server.output().flush();
                return null;
            });
            byte[] second = more.toByteArray();
            assertArrayEquals(second, read(client, second.length));
        });
    }

    @Test
    @Timeout(60)
    void offItsEventLoopEverythingGoesThroughThePipeline() throws Exception {
        withConnection(true, new NetServerOptions(), QUEUE_BYTES, (server, client) -> {
            assertTrue(server.call(() -> server.output().direct()), "on its event loop");
            assertFalse(server.output().direct(), "on the test's thread");
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int n = 0; n < 40; n++) {
                ByteBuf f = frame(n, 3_000 + 101 * n, true);
                expected.write(bytes(f));
                server.output().queue(f);
                if (n % 5 == 4) {
                    server.output().flush();
                }
            }
            byte[] want = expected.toByteArray();
            assertArrayEquals(want, read(client, want.length));
        });
    }
}
