package io.cascade.cluster;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Binary codec of {@link StreamEvent}: u8 kind ordinal, then the stream name and the publish id, each u16 length + UTF-8. */
public final class StreamEventCodec extends ImmutableMessageCodec<StreamEvent> {
    public static final String NAME = "cascade-stream-event";

    public StreamEventCodec() {
        super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, StreamEvent e) {
        byte[] name = e.stream().getBytes(StandardCharsets.UTF_8);
        byte[] publish = e.publish().getBytes(StandardCharsets.UTF_8);
        ImmutableMessageCodec.checkShortString(name);
        ImmutableMessageCodec.checkShortString(publish);
        buffer.appendByte((byte) e.kind().ordinal()).appendUnsignedShort(name.length).appendBytes(name)
                .appendUnsignedShort(publish.length).appendBytes(publish);
    }

    @Override
    public StreamEvent decodeFromWire(int pos, Buffer buffer) {
        int ordinal = buffer.getUnsignedByte(pos);
        if (ordinal >= StreamEvent.Kind.values().length) {
            throw new IllegalStateException("stream event kind " + ordinal + " unknown");
        }
        StreamEvent.Kind kind = StreamEvent.Kind.values()[ordinal];
        int length = buffer.getUnsignedShort(pos + 1);
        String stream = buffer.getString(pos + 3, pos + 3 + length, "UTF-8");
        int at = pos + 3 + length;
        int publishLength = buffer.getUnsignedShort(at);
        return new StreamEvent(kind, stream, buffer.getString(at + 2, at + 2 + publishLength, "UTF-8"));
    }
}
