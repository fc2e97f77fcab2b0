package io.cascade.protocol.rtmp.chunk;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One reassembled RTMP message. timestamp is the absolute 32-bit timestamp as an unsigned value in a long.
 * The payload array is owned by the message (the decoder never touches it again); equality compares its content.
 */
public record RtmpMessage(int chunkStreamId, int typeId, int messageStreamId, long timestamp, byte[] payload) {

    public RtmpMessage {
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RtmpMessage m && m.chunkStreamId == chunkStreamId && m.typeId == typeId
                && m.messageStreamId == messageStreamId && m.timestamp == timestamp && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(chunkStreamId, typeId, messageStreamId, timestamp) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        int shown = Math.min(payload.length, 32);
        return "RtmpMessage[csid=" + chunkStreamId + ", type=" + typeId + ", msid=" + messageStreamId + ", ts=" + timestamp
                + ", " + payload.length + " bytes: " + HexFormat.of().formatHex(payload, 0, shown)
                + (shown < payload.length ? "..." : "") + "]";
    }
}
