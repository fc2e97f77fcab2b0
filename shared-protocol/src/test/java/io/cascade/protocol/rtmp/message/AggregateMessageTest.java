package io.cascade.protocol.rtmp.message;

import static io.cascade.protocol.rtmp.message.MessageVectors.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.chunk.ChunkVectors;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;

import java.util.List;
import org.junit.jupiter.api.Test;

class AggregateMessageTest {

    private static RtmpMessage aggregate(long ts, byte[] payload) {
        return new RtmpMessage(5, MessageType.AGGREGATE, 1, ts, payload);
    }

    /** The aggregate vector of ChunkVectors, decoded by the chunk layer, then split. */
    @Test
    void splitsChunkVectorAggregateAndRebasesTimestamps() throws Exception {
        RtmpMessage agg = ChunkVectors.ALL.stream().filter(v -> v.name().equals("fms_aggregate_message")).findFirst()
                .orElseThrow().messages().get(0);
        List<RtmpMessage> subs = AggregateMessage.split(agg);
        assertEquals(2, subs.size());
        assertEquals(new RtmpMessage(5, 8, 1, 1000, ChunkVectors.pattern(5, 10)), subs.get(0));
        assertEquals(new RtmpMessage(5, 9, 1, 1040, ChunkVectors.pattern(9, 11)), subs.get(1));
        // Rebased onto a different aggregate timestamp: offsets kept.
        List<RtmpMessage> moved = AggregateMessage.split(aggregate(50, agg.payload()));
        assertEquals(50, moved.get(0).timestamp());
        assertEquals(90, moved.get(1).timestamp());
    }

    @Test
    void readsTimestampExtensionByteAndWraps() throws Exception {
        byte[] p = hex("08 000001 FFFFF0 FF 000000" // audio, 1 byte, ts 0xFFFFFFF0 (extension byte FF)
                + "AA 0000000C"
                + "08 000001 000010 00 000000"        // ts 0x10: 32 after the first, across the wrap
                + "BB 0000000C");
        List<RtmpMessage> subs = AggregateMessage.split(aggregate(0xFFFFFFF0L, p));
        assertEquals(0xFFFFFFF0L, subs.get(0).timestamp());
        assertEquals(0x10L, subs.get(1).timestamp());
    }

    @Test
    void emptyAggregateHasNoSubMessages() throws Exception {
        assertEquals(List.of(), AggregateMessage.split(aggregate(0, new byte[0])));
    }

    @Test
    void rejectsSubMessageSizeBeyondAggregate() {
        byte[] p = hex("09 000100 000000 00 000000 AABBCC 00000000"); // declares 256 bytes, 3 present
        RtmpProtocolException e = assertThrows(RtmpProtocolException.class, () -> AggregateMessage.split(aggregate(0, p)));
        assertTrue(e.getMessage().contains("declares 256"), e.getMessage());
        byte[] huge = hex("09 FFFFFF 000000 00 000000");
        assertThrows(RtmpProtocolException.class, () -> AggregateMessage.split(aggregate(0, huge)));
    }

    @Test
    void rejectsTruncatedHeaderMissingBackPointerAndNesting() {
        assertThrows(RtmpProtocolException.class, () -> AggregateMessage.split(aggregate(0, hex("09 000001 0000"))));
        assertThrows(RtmpProtocolException.class,
                () -> AggregateMessage.split(aggregate(0, hex("09 000001 000000 00 000000 AA 0000"))));
        assertThrows(RtmpProtocolException.class,
                () -> AggregateMessage.split(aggregate(0, hex("16 000000 000000 00 000000 0000000B"))));
    }

    @Test
    void rejectsTooManySubMessages() {
        byte[] one = hex("08 000000 000000 00 000000 0000000B");
        byte[] p = new byte[one.length * (AggregateMessage.MAX_SUB_MESSAGES + 1)];
        for (int i = 0; i <= AggregateMessage.MAX_SUB_MESSAGES; i++) {
            System.arraycopy(one, 0, p, i * one.length, one.length);
        }
        assertThrows(RtmpProtocolException.class, () -> AggregateMessage.split(aggregate(0, p)));
        byte[] ok = java.util.Arrays.copyOf(p, one.length * AggregateMessage.MAX_SUB_MESSAGES);
        assertEquals(AggregateMessage.MAX_SUB_MESSAGES, assertDoesNotThrowSplit(ok));
    }

    private static int assertDoesNotThrowSplit(byte[] p) {
        try {
            return AggregateMessage.split(aggregate(0, p)).size();
        } catch (RtmpProtocolException e) {
            throw new AssertionError(e);
        }
    }
}
