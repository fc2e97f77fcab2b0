package io.cascade.cluster;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Binary codec of {@link StreamEvent}: u8 kind ordinal, u16 name length, UTF-8 name. */
public final class StreamEventCodec extends ImmutableMessageCodec<StreamEvent> {
    public static final String NAME = "cascade-stream-event";

    public StreamEventCodec() {
        super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, StreamEvent e) {
        byte[] name = e.stream().getBytes(StandardCharsets.UTF_8);
        buffer.appendByte((byte) e.kind().ordinal()).appendUnsignedShort(name.length).appendBytes(name);
    }

    @Override
    public StreamEvent decodeFromWire(int pos, Buffer buffer) {
        StreamEvent.Kind kind = StreamEvent.Kind.values()[buffer.getUnsignedByte(pos)];
        int length = buffer.getUnsignedShort(pos + 1);
        return new StreamEvent(kind, buffer.getString(pos + 3, pos + 3 + length, "UTF-8"));
    }
}
