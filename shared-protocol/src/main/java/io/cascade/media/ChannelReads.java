package io.cascade.media;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/** The positional read every file reader does: a sample, a box or a tag header from where its index says it is. */
public final class ChannelReads {
    private ChannelReads() {
    }

    /**
     * Exactly {@code length} bytes at {@code position}. The caller bounds {@code length} (it is allocated here).
     *
     * @throws EOFException when the file ends first (it was cut, or shrank since it was indexed)
     */
    public static byte[] readFully(SeekableByteChannel channel, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        channel.position(position);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw new EOFException("the file ends at " + (position + buf.position()) + ", inside the " + length
                        + " bytes at " + position);
            }
        }
        return buf.array();
    }
}
