package io.cascade.protocol.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.protocol.rtmp.message.SetChunkSize;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkEncoderTest {

    static Stream<ChunkVectors.Vector> encoderVectors() {
        return ChunkVectors.ALL.stream().filter(ChunkVectors.Vector::encoderOutput);
    }

    /** Encodes messages as a real peer would: chunk size 128, switching after each SetChunkSize it sends. */
    static byte[] encodeAsPeer(List<RtmpMessage> messages) throws Exception {
        ChunkEncoder enc = new ChunkEncoder(ChunkDecoder.DEFAULT_CHUNK_SIZE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (RtmpMessage m : messages) {
            byte[] b = enc.encode(m);
            assertEquals(b.length, enc.encodedLength(m.chunkStreamId(), m.timestamp(), m.payload().length));
            out.writeBytes(b);
            if (m.typeId() == MessageType.SET_CHUNK_SIZE) {
                enc = new ChunkEncoder(SetChunkSize.decode(m.payload()).chunkSize());
            }
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encoderVectors")
    void encodesVectorExactly(ChunkVectors.Vector v) throws Exception {
        assertArrayEquals(v.wire(), encodeAsPeer(v.messages()), v.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encoderVectors")
    void headPlusBodyEqualsWholePayloadAtAnOffset(ChunkVectors.Vector v) {
        ChunkEncoder enc = new ChunkEncoder(128);
        for (RtmpMessage m : v.messages()) {
            byte[] p = m.payload();
            byte[] whole = enc.encode(m);
            for (int split : new int[] {0, Math.min(5, p.length), p.length}) {
                byte[] head = ChunkVectors.slice(p, 0, split);
                byte[] body = ChunkVectors.concat(new byte[3], ChunkVectors.slice(p, split, p.length), new byte[2]);
                byte[] dst = new byte[whole.length + 7];
                int n = enc.encode(m.chunkStreamId(), m.typeId(), m.messageStreamId(), m.timestamp(), head, body, 3,
                        p.length - split, dst, 7);
                assertEquals(whole.length, n);
                assertArrayEquals(whole, ChunkVectors.slice(dst, 7, 7 + n));
            }
        }
    }

    @Test
    void roundTripsRandomMessagesThroughDecoder() throws Exception {
        Random r = new Random(42);
        int[] sizes = {128, 129, 1000, 4096, 60000, ChunkDecoder.MAX_CHUNK_SIZE};
        long[] timestamps = {0, 1, 0xFFFFFE, 0xFFFFFF, 0x1000000, 0xFFFFFFFFL};
        int[] csids = {2, 3, 63, 64, 319, 320, 65599};
        for (int chunkSize : sizes) {
            List<RtmpMessage> sent = new ArrayList<>();
            sent.add(new RtmpMessage(2, MessageType.SET_CHUNK_SIZE, 0, 0, new SetChunkSize(chunkSize).encode()));
            for (int i = 0; i < 40; i++) {
                int len = r.nextInt(4) == 0 ? r.nextInt(3) : r.nextInt(20000);
                sent.add(new RtmpMessage(csids[r.nextInt(csids.length)], 8 + r.nextInt(2), r.nextInt(3) == 0 ? -1 : r.nextInt(5),
                        timestamps[r.nextInt(timestamps.length)], ChunkVectors.pattern(len, i)));
            }
            byte[] wire = encodeAsPeer(sent);
            List<RtmpMessage> got = new ArrayList<>();
            ChunkDecoder d = new ChunkDecoder();
            int pos = 0;
            while (pos < wire.length) {
                int n = Math.min(wire.length - pos, 1 + r.nextInt(3000));
                d.feed(wire, pos, n, got::add);
                pos += n;
            }
            assertEquals(sent, got, "chunk size " + chunkSize);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkEncoder(0));
        assertThrows(IllegalArgumentException.class, () -> new ChunkEncoder(ChunkDecoder.MAX_CHUNK_SIZE + 1));
        ChunkEncoder e = new ChunkEncoder(128);
        assertThrows(IllegalArgumentException.class, () -> e.encodedLength(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> e.encodedLength(65600, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> e.encodedLength(3, 0, 0x1000000));
        assertThrows(IllegalArgumentException.class,
                () -> e.encode(3, 9, 1, 0, new byte[0], new byte[10], 0, 10, new byte[10], 0));
        assertThrows(IllegalArgumentException.class,
                () -> e.encode(3, 9, 1, 0, new byte[0], new byte[10], 5, 10, new byte[100], 0));
    }

    @Test
    void encodedLengthCountsChunkHeaders() {
        ChunkEncoder e = new ChunkEncoder(128);
        assertEquals(12, e.encodedLength(3, 0, 0));
        assertEquals(12 + 128, e.encodedLength(3, 0, 128));
        assertEquals(12 + 129 + 1, e.encodedLength(3, 0, 129));
        assertEquals(14 + 4 + 129 + 3 + 4, e.encodedLength(320, 0xFFFFFF, 129));
    }
}
