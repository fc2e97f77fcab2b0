package io.cascade.protocol.rtmp.message;

import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Aggregate message (type 22): a sequence of FLV-tag-like sub-messages (11-byte tag header: type, 24-bit size, 24-bit
 * timestamp + 8-bit extension, 24-bit stream id; body; 4-byte back pointer).
 */
public final class AggregateMessage {
    /** Sub-messages per aggregate; real ones hold a few dozen frames, this bounds the list a hostile peer makes us build. */
    public static final int MAX_SUB_MESSAGES = 4096;
    /** Tag header length: type 1, size 3, timestamp 3 + extension 1, stream id 3. */
    public static final int TAG_HEADER_LENGTH = 11;
    /** The back pointer that follows each sub-message body. */
    public static final int BACK_POINTER_LENGTH = 4;

    private AggregateMessage() {
    }

    /**
     * Splits it into messages on the aggregate's chunk stream and message stream id; sub-message timestamps are rebased so
     * the first one equals the aggregate's own timestamp (the others keep their offsets from it, modulo 2^32). A nested
     * aggregate, a size running past the end, a missing back pointer, trailing bytes or more than {@link #MAX_SUB_MESSAGES}
     * sub-messages throw. The back pointer's value is not checked (encoders differ).
     */
    public static List<RtmpMessage> split(RtmpMessage aggregate) throws RtmpProtocolException {
        byte[] p = aggregate.payload();
        List<RtmpMessage> out = new ArrayList<>();
        long base = aggregate.timestamp() & 0xFFFFFFFFL;
        long first = -1;
        int pos = 0;
        while (pos < p.length) {
            if (out.size() >= MAX_SUB_MESSAGES) {
                throw new RtmpProtocolException("aggregate: more than " + MAX_SUB_MESSAGES + " sub-messages (offset " + pos + ")");
            }
            if (p.length - pos < TAG_HEADER_LENGTH) {
                throw new RtmpProtocolException("aggregate: " + (p.length - pos) + " trailing bytes at offset " + pos
                        + ", a sub-message header needs " + TAG_HEADER_LENGTH);
            }
            int type = p[pos] & 0xFF;
            int size = Bytes.u24(p, pos + 1);
            long ts = ((long) (p[pos + 7] & 0xFF) << 24) | Bytes.u24(p, pos + 4);
            if (type == MessageType.AGGREGATE) {
                throw new RtmpProtocolException("aggregate: nested aggregate sub-message at offset " + pos);
            }
            int bodyAt = pos + TAG_HEADER_LENGTH;
            if ((long) size + BACK_POINTER_LENGTH > p.length - bodyAt) {
                throw new RtmpProtocolException("aggregate: sub-message at offset " + pos + " declares " + size
                        + " bytes + back pointer, only " + (p.length - bodyAt) + " remain");
            }
            if (first < 0) {
                first = ts;
            }
            long rebased = (base + ts - first) & 0xFFFFFFFFL;
            out.add(new RtmpMessage(aggregate.chunkStreamId(), type, aggregate.messageStreamId(), rebased,
                    Arrays.copyOfRange(p, bodyAt, bodyAt + size)));
            pos = bodyAt + size + BACK_POINTER_LENGTH;
        }
        return out;
    }

    /** For tests and tools: builds an aggregate payload from sub-messages (their own timestamps, stream id 0 in the tags). */
    public static byte[] build(List<RtmpMessage> subMessages) {
        int total = 0;
        for (RtmpMessage m : subMessages) {
            total += TAG_HEADER_LENGTH + m.payload().length + BACK_POINTER_LENGTH;
        }
        byte[] b = new byte[total];
        int pos = 0;
        for (RtmpMessage m : subMessages) {
            int size = m.payload().length;
            long ts = m.timestamp();
            b[pos] = (byte) m.typeId();
            b[pos + 1] = (byte) (size >>> 16);
            b[pos + 2] = (byte) (size >>> 8);
            b[pos + 3] = (byte) size;
            b[pos + 4] = (byte) (ts >>> 16);
            b[pos + 5] = (byte) (ts >>> 8);
            b[pos + 6] = (byte) ts;
            b[pos + 7] = (byte) (ts >>> 24);
            // stream id (3 bytes) stays 0
            System.arraycopy(m.payload(), 0, b, pos + TAG_HEADER_LENGTH, size);
            Bytes.putU32(b, pos + TAG_HEADER_LENGTH + size, TAG_HEADER_LENGTH + size);
            pos += TAG_HEADER_LENGTH + size + BACK_POINTER_LENGTH;
        }
        return b;
    }
}
