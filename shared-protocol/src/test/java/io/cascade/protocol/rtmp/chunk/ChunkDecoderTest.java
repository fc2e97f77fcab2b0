package io.cascade.protocol.rtmp.chunk;

import static io.cascade.protocol.rtmp.chunk.ChunkVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.protocol.rtmp.RtmpProtocolException;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkDecoderTest {

    static Stream<ChunkVectors.Vector> vectors() {
        return ChunkVectors.ALL.stream();
    }

    static List<RtmpMessage> decodeWhole(byte[] wire) throws RtmpProtocolException {
        List<RtmpMessage> out = new ArrayList<>();
        new ChunkDecoder().feed(wire, 0, wire.length, out::add);
        return out;
    }

    private static void assertDecoded(ChunkVectors.Vector v, ChunkDecoder d, List<RtmpMessage> got) {
        assertEquals(v.messages(), got, v.name());
        assertEquals(v.wire().length, d.bytesReceived(), "bytesReceived");
        assertEquals(0, d.bytesBuffered(), "nothing left buffered");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesVectorFedWhole(ChunkVectors.Vector v) throws Exception {
        ChunkDecoder d = new ChunkDecoder();
        List<RtmpMessage> got = new ArrayList<>();
        // Feed from the middle of a larger array to check offset handling.
        byte[] padded = new byte[v.wire().length + 10];
        System.arraycopy(v.wire(), 0, padded, 5, v.wire().length);
        d.feed(padded, 5, v.wire().length, got::add);
        assertDecoded(v, d, got);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesVectorFedByteByByte(ChunkVectors.Vector v) throws Exception {
        ChunkDecoder d = new ChunkDecoder();
        List<RtmpMessage> got = new ArrayList<>();
        byte[] w = v.wire();
        for (int i = 0; i < w.length; i++) {
            d.feed(w, i, 1, got::add);
        }
        assertDecoded(v, d, got);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesVectorInRandomSplits(ChunkVectors.Vector v) throws Exception {
        Random r = new Random(v.name().hashCode());
        byte[] w = v.wire();
        for (int round = 0; round < 50; round++) {
            ChunkDecoder d = new ChunkDecoder();
            List<RtmpMessage> got = new ArrayList<>();
            int pos = 0;
            while (pos < w.length) {
                int n = Math.min(w.length - pos, r.nextInt(40) == 0 ? 0 : 1 + r.nextInt(round < 25 ? 20 : 600));
                d.feed(w, pos, n, got::add);
                pos += n;
            }
            assertDecoded(v, d, got);
        }
    }

    @Test
    void appliesSetChunkSize() throws Exception {
        ChunkDecoder d = new ChunkDecoder();
        assertEquals(ChunkDecoder.DEFAULT_CHUNK_SIZE, d.chunkSize());
        byte[] w = ChunkVectors.ALL.get(1).wire();
        d.feed(w, 0, w.length, m -> { });
        assertEquals(4096, d.chunkSize());
    }

    // ---- malformed input ------------------------------------------------------------------------------------------

    private static byte[] setChunkSize(String value) {
        return hex("02 000000 000004 01 00000000" + value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"00000000", "00000001", "0000007F", "7FFFFFFF", "FFFFFFFF", "01000000"})
    void rejectsSetChunkSizeOutOfRange(String value) {
        RtmpProtocolException e = assertThrows(RtmpProtocolException.class, () -> decodeWhole(setChunkSize(value)));
        assertTrue(e.getMessage().contains("SetChunkSize"), e.getMessage());
    }

    @Test
    void acceptsSetChunkSizeAtBounds() throws Exception {
        assertEquals(1, decodeWhole(setChunkSize("00000080")).size());
        ChunkDecoder d = new ChunkDecoder();
        byte[] w = setChunkSize("00FFFFFF");
        d.feed(w, 0, w.length, m -> { });
        assertEquals(ChunkDecoder.MAX_CHUNK_SIZE, d.chunkSize());
    }

    @Test
    void rejectsShortSetChunkSizePayload() {
        assertThrows(RtmpProtocolException.class, () -> decodeWhole(hex("02 000000 000002 01 00000000 0100")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"43 000000 000004 14 00000000", "83 000000 00000000", "C3 00000000", "C3"})
    void rejectsFmt123WithoutEarlierFmt0(String wire) {
        RtmpProtocolException e = assertThrows(RtmpProtocolException.class, () -> decodeWhole(hex(wire)));
        assertTrue(e.getMessage().contains("no earlier fmt 0"), e.getMessage());
    }

    @Test
    void rejectsNewHeaderWhileMessageIncomplete() {
        byte[] w = ChunkVectors.concat(hex("06 000000 00012C 09 01000000"), new byte[128], hex("46 000000 000004 09"));
        assertThrows(RtmpProtocolException.class, () -> decodeWhole(w));
    }

    private static byte[] emptyMessageOn(int csid) {
        ChunkEncoder e = new ChunkEncoder(128);
        return e.encode(new RtmpMessage(csid, 18, 1, 0, new byte[0]));
    }

    @Test
    void allowsSixtyFourChunkStreamsButNotSixtyFive() throws Exception {
        ChunkDecoder d = new ChunkDecoder();
        List<RtmpMessage> got = new ArrayList<>();
        for (int i = 0; i < ChunkDecoder.MAX_CHUNK_STREAMS; i++) {
            byte[] w = emptyMessageOn(2 + i * 997 % 65000);
            d.feed(w, 0, w.length, got::add);
        }
        assertEquals(64, got.size());
        byte[] again = emptyMessageOn(2);               // a known csid is fine
        d.feed(again, 0, again.length, got::add);
        byte[] w = emptyMessageOn(65599);
        RtmpProtocolException e = assertThrows(RtmpProtocolException.class, () -> d.feed(w, 0, w.length, got::add));
        assertTrue(e.getMessage().contains("distinct chunk stream ids"), e.getMessage());
        // A failed decoder stays failed.
        assertThrows(RtmpProtocolException.class, () -> d.feed(again, 0, again.length, got::add));
    }

    @Test
    void truncatedExtendedTimestampIsIncompleteNotError() throws Exception {
        byte[] w = ChunkVectors.ALL.get(3).wire(); // extended timestamp vector
        for (int cut : new int[] {12 + 2, 12 + 4 + 128 + 1 + 3}) { // inside the fmt 0 and inside a fmt 3 extended timestamp
            ChunkDecoder d = new ChunkDecoder();
            List<RtmpMessage> got = new ArrayList<>();
            d.feed(w, 0, cut, got::add);
            assertEquals(0, got.size());
            d.feed(w, cut, w.length - cut, got::add);
            assertEquals(ChunkVectors.ALL.get(3).messages(), got);
        }
    }

    @Test
    void stallAfterHugeDeclaredLengthHoldsOnlyWhatArrived() throws Exception {
        ChunkDecoder d = new ChunkDecoder();
        byte[] w = ChunkVectors.concat(hex("06 000000 FFFFFF 09 01000000"), new byte[128], hex("C6"), new byte[100]);
        List<RtmpMessage> got = new ArrayList<>();
        d.feed(w, 0, w.length, got::add);
        assertEquals(0, got.size());
        assertEquals(228, d.bytesBuffered());
        assertTrue(d.bytesAllocated() <= ChunkDecoder.EAGER_ALLOCATION_LIMIT + ChunkDecoder.MAX_HEADER_LENGTH,
                "allocated " + d.bytesAllocated());
    }

    @Test
    void rejectsMoreThan32MiBOfPartialMessagesAcrossChunkStreams() throws Exception {
        ChunkDecoder d = new ChunkDecoder();
        byte[] w = setChunkSize("00100000");           // 1 MiB chunks, so chunk streams can interleave
        d.feed(w, 0, w.length, m -> { });
        byte[] block = new byte[1 << 20];
        long fed = 0;
        RtmpProtocolException e = null;
        outer:
        for (int csid = 3; csid < 10; csid++) {
            byte[] fmt0 = hex(String.format("%02X 000000 FFFFFF 09 01000000", csid));
            byte[] fmt3 = {(byte) (0xC0 | csid)};
            for (int i = 0; i < 15; i++) { // 15 MiB of each 16 MiB message: never complete
                byte[] h = i == 0 ? fmt0 : fmt3;
                try {
                    d.feed(h, 0, h.length, m -> { });
                    d.feed(block, 0, block.length, m -> { });
                    fed += block.length;
                } catch (RtmpProtocolException ex) {
                    e = ex;
                    break outer;
                }
            }
        }
        assertTrue(e != null, "expected the buffer limit to trip");
        assertTrue(e.getMessage().contains("buffered"), e.getMessage());
        assertTrue(fed <= ChunkDecoder.MAX_BUFFERED_BYTES && fed > ChunkDecoder.MAX_BUFFERED_BYTES - (2 << 20), "fed " + fed);
    }

    @Test
    void chunkSizeChangeAppliesToFollowingChunksOfPartialMessage() throws Exception {
        ChunkVectors.Vector v = ChunkVectors.ALL.stream().filter(x -> x.name().equals("obs_chunk_size_changed_mid_message"))
                .findFirst().orElseThrow();
        ChunkDecoder d = new ChunkDecoder();
        List<RtmpMessage> got = new ArrayList<>();
        d.feed(v.wire(), 0, v.wire().length, got::add);
        assertEquals(256, d.chunkSize());
        assertArrayEquals(ChunkVectors.VIDEO_300, got.get(1).payload());
    }

    @Test
    void abortOfUnknownChunkStreamIsIgnored() throws Exception {
        List<RtmpMessage> got = decodeWhole(hex("02 000000 000004 02 00000000 0000FFFF"));
        assertEquals(1, got.size());
        assertEquals(2, got.get(0).typeId());
        assertThrows(RtmpProtocolException.class, () -> decodeWhole(hex("02 000000 000002 02 00000000 0001")));
    }

    @Test
    void fmt3StartingMessageAfterFmt0UsesItsTimestampAsDelta() throws Exception {
        // Adobe spec 5.3.1.2.4: a type 3 chunk following a type 0 takes the type 0 timestamp as its delta.
        List<RtmpMessage> got = decodeWhole(hex("04 000064 000001 08 01000000 AA C4 BB"));
        assertEquals(100, got.get(0).timestamp());
        assertEquals(200, got.get(1).timestamp());
        assertArrayEquals(hex("BB"), got.get(1).payload());
    }

    @Test
    void fmt3NewMessageRepeatsExtendedTimestampField() throws Exception {
        // fmt 1 with an extended delta, then a fmt 3 new message: it carries the 4-byte field and adds the same delta.
        List<RtmpMessage> got = decodeWhole(hex("04 000000 000001 08 01000000 AA"
                + "44 FFFFFF 000001 08 01000000 BB"
                + "C4 01000000 CC"));
        assertEquals(List.of(0L, 0x01000000L, 0x02000000L), got.stream().map(RtmpMessage::timestamp).toList());
    }

    @Test
    void rejectsOutOfRangeFeedArguments() {
        ChunkDecoder d = new ChunkDecoder();
        assertThrows(IndexOutOfBoundsException.class, () -> d.feed(new byte[4], 2, 3, m -> { }));
    }
}
