package io.cascade.net;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Bytes a socket handed over, read where they lie. A connection's reads arrive as heap buffers the socket copied
 * them into already; the pure codecs take a byte array, and copying each read into a new one again was a sixth of
 * what an RTMP publisher's event loop allocated.
 */
public final class Received {
    private Received() {
    }

    /** What takes the bytes: it must not keep {@code data} past the call. */
    @FunctionalInterface
    public interface Reader<E extends Exception> {
        void read(byte[] data, int offset, int length) throws E;
    }

    /** Hands {@code data}'s bytes to {@code reader}: the buffer's own array where it has one, else a copy. */
    public static <E extends Exception> void read(Buffer data, Reader<E> reader) throws E {
        ByteBuf buf = ((BufferInternal) data).getByteBuf();
        if (buf.hasArray()) {
            reader.read(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
        } else {
            byte[] bytes = data.getBytes();
            reader.read(bytes, 0, bytes.length);
        }
    }
}
