package io.cascade.cluster;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Binary codec of {@link FeedAck}: i64 sequence, u8 leaving, u16 node length, UTF-8 node. */
public final class FeedAckCodec extends ImmutableMessageCodec<FeedAck> {
    public static final String NAME = "cascade-feed-ack";

    public FeedAckCodec() {
        super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, FeedAck a) {
        byte[] node = a.node().getBytes(StandardCharsets.UTF_8);
        ImmutableMessageCodec.checkShortString(node);
        buffer.appendLong(a.sequence()).appendByte((byte) (a.leaving() ? 1 : 0)).appendUnsignedShort(node.length)
                .appendBytes(node);
    }

    @Override
    public FeedAck decodeFromWire(int pos, Buffer buffer) {
        long sequence = buffer.getLong(pos);
        boolean leaving = buffer.getByte(pos + 8) != 0;
        int length = buffer.getUnsignedShort(pos + 9);
        return new FeedAck(buffer.getString(pos + 11, pos + 11 + length, "UTF-8"), sequence, leaving);
    }
}
