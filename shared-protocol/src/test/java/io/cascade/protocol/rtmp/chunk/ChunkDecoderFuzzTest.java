package io.cascade.protocol.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.message.Abort;
import io.cascade.protocol.rtmp.message.Acknowledgement;
import io.cascade.protocol.rtmp.message.AggregateMessage;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.protocol.rtmp.message.SetChunkSize;
import io.cascade.protocol.rtmp.message.SetPeerBandwidth;
import io.cascade.protocol.rtmp.message.UserControl;
import io.cascade.protocol.rtmp.message.WindowAckSize;

/**
 * Feeds arbitrary bytes to a ChunkDecoder, in two feed() calls split at a data-derived point, and decodes every control and
 * aggregate message that comes out. Only RtmpProtocolException is acceptable. Seeds: ChunkDecoderFuzzTestInputs/feed/ (one
 * per ChunkVectors vector). Regression mode runs in plain `mvn test`; JAZZER_FUZZ=1 fuzzes.
 */
class ChunkDecoderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void feed(byte[] data) {
        run(data);
    }

    /** The fuzz body, shared with ChunkDecoderFuzzBodyTest. */
    static void run(byte[] data) {
        ChunkDecoder d = new ChunkDecoder();
        int split = data.length == 0 ? 0 : (int) ((long) (data[data.length - 1] & 0xFF) * data.length / 256);
        try {
            d.feed(data, 0, split, ChunkDecoderFuzzTest::check);
            d.feed(data, split, data.length - split, ChunkDecoderFuzzTest::check);
        } catch (RtmpProtocolException expected) {
            // malformed input: the only acceptable failure
        }
        assertTrue(d.bytesBuffered() <= ChunkDecoder.MAX_BUFFERED_BYTES);
        assertTrue(d.bytesReceived() <= data.length);
        assertTrue(d.chunkSize() >= ChunkDecoder.MIN_CHUNK_SIZE && d.chunkSize() <= ChunkDecoder.MAX_CHUNK_SIZE);
    }

    private static void check(RtmpMessage m) {
        assertTrue(m.payload().length <= ChunkDecoder.MAX_MESSAGE_LENGTH);
        assertTrue(m.timestamp() >= 0 && m.timestamp() <= 0xFFFFFFFFL);
        assertTrue(m.chunkStreamId() >= 2 && m.chunkStreamId() <= 65599);
        try {
            switch (m.typeId()) {
                case MessageType.SET_CHUNK_SIZE -> SetChunkSize.decode(m.payload());
                case MessageType.ABORT -> Abort.decode(m.payload());
                case MessageType.ACKNOWLEDGEMENT -> Acknowledgement.decode(m.payload());
                case MessageType.USER_CONTROL -> UserControl.decode(m.payload());
                case MessageType.WINDOW_ACK_SIZE -> WindowAckSize.decode(m.payload());
                case MessageType.SET_PEER_BANDWIDTH -> SetPeerBandwidth.decode(m.payload());
                case MessageType.AGGREGATE -> AggregateMessage.split(m);
                default -> MessageType.name(m.typeId());
            }
        } catch (RtmpProtocolException expected) {
            // malformed payload
        }
    }
}
