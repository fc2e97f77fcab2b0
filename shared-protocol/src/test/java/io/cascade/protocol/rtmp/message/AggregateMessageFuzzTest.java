package io.cascade.protocol.rtmp.message;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;

import java.util.List;

/** Arbitrary aggregate payloads: only RtmpProtocolException is acceptable; sub-messages must lie inside the payload. */
class AggregateMessageFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void split(byte[] data) {
        long ts = data.length >= 4 ? ((data[0] & 0xFFL) << 24 | (data[1] & 0xFF) << 16 | (data[2] & 0xFF) << 8 | (data[3] & 0xFF)) : 0;
        try {
            List<RtmpMessage> subs = AggregateMessage.split(new RtmpMessage(5, MessageType.AGGREGATE, 1, ts, data));
            long total = 0;
            for (RtmpMessage m : subs) {
                total += m.payload().length + AggregateMessage.TAG_HEADER_LENGTH + AggregateMessage.BACK_POINTER_LENGTH;
                assertTrue(m.timestamp() >= 0 && m.timestamp() <= 0xFFFFFFFFL);
            }
            assertTrue(total == data.length);
            assertTrue(subs.size() <= AggregateMessage.MAX_SUB_MESSAGES);
        } catch (RtmpProtocolException expected) {
            // malformed aggregate
        }
    }
}
