package io.cascade.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.concurrent.FastThreadLocal;

import java.io.IOException;
import java.util.Arrays;

/**
 * The media a connection sends: buffers shared by every viewer of a stream, queued, then written together at a
 * flush. Every method is called from one thread, the connection's event loop as a rule.
 *
 * <p>Where it can, a flush writes the queued buffers with one {@code writev} system call straight from the shared
 * buffers, past Netty's outbound queue: a viewer receives every frame of its stream, and per frame and viewer
 * Netty's queue entry, pipeline pass and pending-bytes bookkeeping were most of what the JVM itself spent on a
 * viewer (profiled at 400 RTMP players; the rest of a viewer's cost is the kernel's). It can on a native (epoll)
 * socket whose pipeline has nothing between the connection's handler and the socket (no TLS), when nothing waits in
 * Netty's queue. What the kernel does not take at once goes into Netty's queue, which sends it when the socket
 * drains and counts it towards the connection's write-queue bound; while anything waits there, everything goes that
 * way, so bytes never overtake each other. Otherwise (TLS, the JDK's NIO transport, heap buffers) every buffer goes
 * through the pipeline, as a view of its own.
 */
public final class SocketOutput {
    /**
     * Buffers queued between two flushes. A flush comes at the end of each event-loop turn, so more than this is a
     * burst: the queue is flushed and goes on.
     */
    public static final int MAX_QUEUED = 64;

    /** One array of {@code iovec}s per event loop: a flush fills it and the system call reads it. */
    private static final FastThreadLocal<IovArray> IOVECS = new FastThreadLocal<>() {
        @Override
        protected IovArray initialValue() {
            return new IovArray();
        }

        @Override
        protected void onRemoval(IovArray iovecs) {
            iovecs.release();
        }
    };

    private final ChannelHandlerContext context;
    private final Channel channel;
    /** The socket, when it is a native one; else null, and every buffer goes through the pipeline. */
    private final FileDescriptor socket;
    private final ByteBuf[] queued = new ByteBuf[MAX_QUEUED];
    private int count;
    /** Something was written to the pipeline since its last flush. */
    private boolean pipelineUnflushed;

    /**
     * @param context    the connection's handler, where its writes enter the pipeline
     * @param queueBytes what may wait in Netty's queue before {@link #full}: full above it, drained again below half
     */
    public SocketOutput(ChannelHandlerContext context, int queueBytes) {
        this.context = context;
        this.channel = context.channel();
        this.socket = channel instanceof UnixChannel unix ? unix.fd() : null;
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(queueBytes / 2, queueBytes));
    }

    /**
     * True when flushes may write past Netty's queue: a native socket, nothing in the pipeline between the
     * connection's handler and the socket, and the caller on the socket's event loop (Netty writes it from there
     * only; from any other thread the pipeline hands the write over, as it always did). Asked each time, because the
     * pipeline changes: while a connection is being accepted its initialiser is still in it, and TLS adds a handler
     * there for good.
     */
    public boolean direct() {
        return socket != null && channel.eventLoop().inEventLoop() && context.pipeline().firstContext() == context;
    }

    /**
     * Queues {@code shared} to be sent at the next {@link #flush}. The buffer is written to many connections: it is
     * read through a view of its own, so neither its indexes nor its reference count change, and the caller keeps it
     * alive (unchanged) until the flush.
     */
    public void queue(ByteBuf shared) {
        if (count == MAX_QUEUED) {
            flush(); // a burst: what is queued goes now, and queuing goes on
        }
        if (!shared.isDirect() || !direct() || waitingInNetty()) {
            toPipeline(0, 0);
            writeToPipeline(shared, 0);
            return;
        }
        queued[count++] = shared;
    }

    /** Sends what {@link #queue} queued. */
    public void flush() {
        if (count > 0) {
            if (channel.isActive() && direct() && !waitingInNetty()) {
                writeDirectly();
            } else {
                toPipeline(0, 0);
            }
        }
        if (pipelineUnflushed) {
            pipelineUnflushed = false;
            context.flush();
        }
    }

    /** Sends what was queued, then {@code bytes} (the connection's own messages, which go out at once). */
    public void send(byte[] bytes) {
        flush();
        context.writeAndFlush(Unpooled.wrappedBuffer(bytes), context.voidPromise());
    }

    /** True when more than the connection's bound waits in Netty's queue (the kernel's buffer is full). */
    public boolean full() {
        return !channel.isWritable();
    }

    /** Closes the connection at once, dropping what is queued: for a client that stopped reading. */
    public void abort() {
        discard();
        channel.close();
    }

    private void discard() {
        Arrays.fill(queued, 0, count, null);
        count = 0;
    }

    /** Bytes went into the pipeline and have not all left: what follows must go after them, the same way. */
    private boolean waitingInNetty() {
        if (pipelineUnflushed) {
            return true;
        }
        ChannelOutboundBuffer waiting = channel.unsafe().outboundBuffer();
        return waiting == null || waiting.totalPendingWriteBytes() > 0;
    }

    private void writeDirectly() {
        IovArray iovecs = IOVECS.get();
        iovecs.clear();
        int added = 0;
        while (added < count && iovecs.add(queued[added], queued[added].readerIndex(), queued[added].readableBytes())) {
            added++;
        }
        long written;
        try {
            // the channel is open: its socket is this descriptor still (Netty closes it on this thread only)
            written = socket.writevAddresses(iovecs.memoryAddress(0), iovecs.count());
        } catch (IOException e) {
            // the peer is gone (reset, broken pipe): the channel's close tells the connection, as a failed write would
            discard();
            channel.close();
            return;
        } finally {
            iovecs.clear();
        }
        int sent = 0;
        while (sent < count && written >= queued[sent].readableBytes()) {
            written -= queued[sent].readableBytes();
            queued[sent++] = null;
        }
        // what the kernel did not take waits in Netty's queue, which sends it when the socket drains
        toPipeline(sent, (int) written);
    }

    /** Hands what is queued from {@code from} on to the pipeline, in order and unflushed, less the first's sent bytes. */
    private void toPipeline(int from, int firstSent) {
        for (int i = from; i < count; i++) {
            writeToPipeline(queued[i], i == from ? firstSent : 0);
        }
        Arrays.fill(queued, 0, count, null);
        count = 0;
    }

    private void writeToPipeline(ByteBuf shared, int skip) {
        ByteBuf view = shared.duplicate();
        view.skipBytes(skip);
        context.write(Unpooled.unreleasableBuffer(view), context.voidPromise());
        pipelineUnflushed = true;
    }
}
