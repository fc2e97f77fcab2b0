package io.cascade.protocol.rtp;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.protocol.flv.Hex;
import io.cascade.protocol.rtp.RtcpPacket.Bye;
import io.cascade.protocol.rtp.RtcpPacket.ReceiverReport;
import io.cascade.protocol.rtp.RtcpPacket.ReportBlock;
import io.cascade.protocol.rtp.RtcpPacket.SdesChunk;
import io.cascade.protocol.rtp.RtcpPacket.SdesItem;
import io.cascade.protocol.rtp.RtcpPacket.SenderReport;
import io.cascade.protocol.rtp.RtcpPacket.SourceDescription;
import java.util.List;
import org.junit.jupiter.api.Test;

class RtcpPacketTest {
    @Test
    void readsGStreamerSenderReports() throws RtpException {
        List<byte[]> datagrams = RtpCaptures.datagrams("gst_rtcp_sr.bin");
        List<RtcpPacket> first = RtcpPacket.parseCompound(datagrams.get(0));
        assertEquals(2, first.size());
        SenderReport sr = assertInstanceOf(SenderReport.class, first.get(0));
        assertEquals(0xff9e69bfL, sr.ssrc());
        assertEquals(0xeec03a1587fc86ceL, sr.ntpTimestamp());
        assertEquals(0x106d6e0fL, sr.rtpTimestamp());
        assertEquals(0x79, sr.packetCount());
        assertEquals(0x5a0c, sr.octetCount());
        assertTrue(sr.reports().isEmpty());
        SourceDescription sdes = assertInstanceOf(SourceDescription.class, first.get(1));
        assertTrue(sdes.cname(sr.ssrc()).startsWith("user"), sdes.cname(sr.ssrc()));
        assertEquals("GStreamer", sdes.chunks().get(0).items().get(1).text()); // TOOL item
        assertEquals(6, sdes.chunks().get(0).items().get(1).type());
        // NTP seconds 0xeec03a15 are in 2026 on the Unix clock
        long millis = RtcpPacket.epochMillisFromNtp(sr.ntpTimestamp());
        assertEquals(0xeec03a15L - RtcpPacket.NTP_UNIX_OFFSET_SECONDS, millis / 1000);

        List<RtcpPacket> last = RtcpPacket.parseCompound(datagrams.get(1));
        assertEquals(3, last.size());
        Bye bye = assertInstanceOf(Bye.class, last.get(2));
        assertEquals(List.of(0xff9e69bfL), bye.ssrcs());
        assertEquals("", bye.reason());
    }

    @Test
    void readsGStreamerReceiverReports() throws RtpException {
        List<RtcpPacket> p = RtcpPacket.parseCompound(RtpCaptures.datagrams("gst_rtcp_rr.bin").get(0));
        ReceiverReport rr = assertInstanceOf(ReceiverReport.class, p.get(0));
        assertEquals(0x0ca6acd9L, rr.ssrc());
        ReportBlock b = rr.reports().get(0);
        assertEquals(0xff9e69bfL, b.ssrc());
        assertEquals(0, b.fractionLost());
        assertEquals(-1, b.cumulativeLost()); // 0xFFFFFF: one packet more than expected arrived
        assertEquals(0x5c94, b.extendedHighestSequence());
        assertEquals(3, b.jitter());
        assertInstanceOf(SourceDescription.class, p.get(1));
    }

    @Test
    void writtenReportsReadBack() throws RtpException {
        long ntp = RtcpPacket.ntpFromEpochMillis(1_700_000_000_123L);
        assertEquals(1_700_000_000_123L, RtcpPacket.epochMillisFromNtp(ntp));
        ReportBlock block = new ReportBlock(0x01020304L, 25, -3, 70000, 12, 0xAABBCCDDL, 65536);
        List<RtcpPacket> packets = List.of(
                new SenderReport(0xCAFEL, ntp, 0xFFFFFFF0L, 10, 12345, List.of(block)),
                new SourceDescription(List.of(new SdesChunk(0xCAFEL, List.of(new SdesItem(RtcpPacket.SDES_CNAME,
                        "cascade@origin-1"))))),
                new Bye(List.of(0xCAFEL), "publisher left"));
        byte[] wire = RtcpPacket.encodeCompound(packets);
        assertEquals(0, wire.length % 4);
        assertEquals(packets, RtcpPacket.parseCompound(wire));

        byte[] rr = RtcpPacket.encodeCompound(List.of(new ReceiverReport(7, List.of(block, block))));
        assertEquals(8 + 2 * ReportBlock.LENGTH, rr.length);
        assertArrayEquals(bytes("82 C9 000D 00000007"), java.util.Arrays.copyOf(rr, 8));
        assertEquals(List.of(new ReceiverReport(7, List.of(block, block))), RtcpPacket.parseCompound(rr));
    }

    @Test
    void compoundReportsCarryTheCname() throws RtpException {
        long ntp = RtcpPacket.ntpFromEpochMillis(1_700_000_000_000L);
        List<RtcpPacket> sr = RtcpPacket.parseCompound(RtcpPacket.encodeSenderReport(5, ntp, 90000, 3, 3000, List.of(),
                "cascade"));
        assertEquals(new SenderReport(5, ntp, 90000, 3, 3000, List.of()), sr.get(0));
        assertEquals("cascade", ((SourceDescription) sr.get(1)).cname(5));
        ReportBlock block = new ReceptionStats(9).report(0, 0);
        List<RtcpPacket> rr = RtcpPacket.parseCompound(RtcpPacket.encodeReceiverReport(6, List.of(block), "edge"));
        assertEquals(new ReceiverReport(6, List.of(block)), rr.get(0));
        assertEquals("edge", ((SourceDescription) rr.get(1)).cname(6));
    }

    @Test
    void otherTypesAreKeptAsTypeAndLength() throws RtpException {
        List<RtcpPacket> p = RtcpPacket.parseCompound(bytes("80 C9 0001 00000001", "81 CD 0002 00000001 00000002"));
        assertEquals(new RtcpPacket.Other(205, 12), p.get(1));
    }

    @Test
    void paddingOnTheLastPacketIsRemoved() throws RtpException {
        List<RtcpPacket> p = RtcpPacket.parseCompound(bytes("A0 CB 0002 00000009 00000004"));
        assertEquals(new Bye(List.of(), ""), p.get(0));
    }

    @Test
    void hostileCompoundsGiveTypedErrors() {
        List<byte[]> bad = List.of(
                bytes(""),
                bytes("80 C8"),                                  // header cut
                bytes("40 C8 0000"),                             // version 1
                bytes("80 C8 0006 00000001"),                    // length beyond the datagram
                bytes("80 C8 0001 00000001"),                    // SR too short for its sender info
                bytes("81 C9 0001 00000001"),                    // RR announcing a block it does not hold
                bytes("80 C9 0001 00000001 00"),                 // trailing bytes after the last packet
                bytes("A0 C9 0001 00000001", "80 C9 0000"),      // padding on a packet that is not the last
                bytes("A0 C9 0001 00000009"),                    // padding count beyond the packet
                bytes("A0 C9 0001 00000000"),                    // padding count 0
                bytes("81 CA 0002 00000001 0105 6162"),          // SDES item text beyond the packet
                bytes("81 CA 0001 00000001"),                    // SDES chunk without its end
                bytes("82 CA 0002 00000001 00000000"),           // 2 SDES chunks, 1 present
                bytes("81 CB 0000"),                             // BYE with an SSRC it does not hold
                bytes("80 CB 0001 09616263"));                   // BYE reason longer than the packet
        for (byte[] b : bad) {
            assertThrows(RtpException.class, () -> RtcpPacket.parseCompound(b), Hex.hex(b));
        }
        byte[] flood = new byte[4 * (RtcpPacket.MAX_PACKETS_PER_COMPOUND + 1)];
        for (int i = 0; i < flood.length; i += 4) {
            flood[i] = (byte) 0x80;
            flood[i + 1] = (byte) 0xCC;
        }
        assertThrows(RtpException.class, () -> RtcpPacket.parseCompound(flood));
    }
}
