package io.cascade.protocol.rtp;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RtpPacketTest {
    @Test
    void readsTheHeaderOfCapturedPackets() {
        List<RtpPacket> packets = RtpCaptures.packets("h264.rtp");
        assertEquals(13, packets.size());
        RtpPacket first = packets.get(0);
        assertEquals(96, first.payloadType());
        assertEquals(2555, first.sequence());
        assertEquals(3520780934L, first.timestamp());
        assertFalse(first.marker());
        assertEquals(44 - 12, first.payloadLength());
        assertEquals(0x18, first.data()[first.payloadOffset()]); // STAP-A
        assertTrue(packets.get(6).marker());
        for (int i = 1; i < packets.size(); i++) {
            assertEquals(packets.get(i - 1).sequence() + 1, packets.get(i).sequence());
            assertEquals(packets.get(0).ssrc(), packets.get(i).ssrc());
        }
    }

    @Test
    void encodeWritesWhatParseReads() throws RtpException {
        byte[] payload = bytes("0102030405");
        RtpPacket p = RtpPacket.of(true, 97, 65535, 0xFFFFFFFFL, 0xDEADBEEFL, payload);
        byte[] wire = p.encode();
        assertArrayEquals(bytes("80 E1 FFFF FFFFFFFF DEADBEEF 0102030405"), wire);
        RtpPacket q = RtpPacket.parse(wire);
        assertTrue(q.marker());
        assertEquals(97, q.payloadType());
        assertEquals(65535, q.sequence());
        assertEquals(0xFFFFFFFFL, q.timestamp());
        assertEquals(0xDEADBEEFL, q.ssrc());
        assertArrayEquals(payload, q.payload());
    }

    @Test
    void skipsCsrcsExtensionAndPadding() throws RtpException {
        byte[] wire = bytes("B2 60 0001 00000010 00000001",  // V2, padding, extension, CC=2
                "11111111 22222222",                            // CSRCs
                "BEDE 0001 AABBCCDD",                           // one-word header extension
                "C0FFEE",                                       // payload
                "00 00 03");                                    // 3 bytes of padding
        RtpPacket p = RtpPacket.parse(wire);
        assertEquals(2, p.csrcCount());
        assertArrayEquals(bytes("C0FFEE"), p.payload());
        // the slice form reads a packet inside a larger buffer
        byte[] framed = new byte[wire.length + 6];
        System.arraycopy(wire, 0, framed, 4, wire.length);
        assertArrayEquals(bytes("C0FFEE"), RtpPacket.parse(framed, 4, wire.length).payload());
    }

    @Test
    void emptyPayloadIsAllowed() throws RtpException {
        assertEquals(0, RtpPacket.parse(bytes("80 60 0001 00000010 00000001")).payloadLength());
    }

    @Test
    void hostileHeadersGiveTypedErrors() {
        List<byte[]> bad = List.of(
                bytes(""),
                bytes("80 60 0001 00000010 000000"),              // 11 bytes: truncated fixed header
                bytes("40 60 0001 00000010 00000001"),            // version 1
                bytes("C0 60 0001 00000010 00000001"),            // version 3
                bytes("8F 60 0001 00000010 00000001 11111111"),   // 15 CSRCs announced, 1 present
                bytes("90 60 0001 00000010 00000001 BEDE"),       // extension header cut
                bytes("90 60 0001 00000010 00000001 BEDE 0002 00000000"), // extension longer than the packet
                bytes("A0 60 0001 00000010 00000001"),            // padding bit, no byte to hold the count
                bytes("A0 60 0001 00000010 00000001 0102 09"),    // padding of 9 with 3 bytes after the header
                bytes("A0 60 0001 00000010 00000001 0102 00"));   // padding count 0
        for (byte[] b : bad) {
            assertThrows(RtpException.class, () -> RtpPacket.parse(b), Hex.hex(b));
        }
        assertThrows(RtpException.class, () -> RtpPacket.parse(null));
        assertThrows(RtpException.class, () -> RtpPacket.parse(new byte[4], 2, 4));
        byte[] huge = new byte[RtpPacket.MAX_PACKET_LENGTH + 1];
        huge[0] = (byte) 0x80;
        assertThrows(RtpException.class, () -> RtpPacket.parse(huge));
    }

    /** Local alias so failure messages show the packet. */
    private static final class Hex {
        static String hex(byte[] b) {
            return io.cascade.protocol.flv.Hex.hex(b);
        }
    }
}
