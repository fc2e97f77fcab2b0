package io.cascade.protocol.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RtcpReceptionStatsTest {
    @Test
    void countsLossAcrossTheSequenceWrap() {
        ReceptionStats s = new ReceptionStats(42);
        for (int i = 0; i < 100; i++) {
            int seq = (65500 + i) & 0xFFFF;
            if (i % 10 != 3) { // 10 % lost
                s.received(seq, 1000L * i, 1000L * i);
            }
        }
        assertEquals(100, s.expected());
        assertEquals(90, s.received());
        assertEquals(10, s.cumulativeLost());
        assertEquals(1L << 16 | ((65500 + 99) & 0xFFFF), s.extendedHighestSequence());
        RtcpPacket.ReportBlock b = s.report(0x12345678L, 65536);
        assertEquals(42, b.ssrc());
        assertEquals(25, b.fractionLost()); // 10/100 of 256
        assertEquals(0, b.jitter()); // arrivals exactly on the media clock
        assertEquals(0x12345678L, b.lastSenderReport());
        // nothing lost in the next interval
        s.received((65500 + 100) & 0xFFFF, 100_000, 100_000);
        assertEquals(0, s.report(0, 0).fractionLost());
    }

    @Test
    void duplicatesMakeLossNegativeAndLatePacketsDoNotMoveTheHighest() {
        ReceptionStats s = new ReceptionStats(1);
        s.received(10, 0, 0);
        s.received(11, 0, 0);
        s.received(11, 0, 0);
        s.received(9, 0, 0); // late: before the first one seen
        assertEquals(11, s.extendedHighestSequence());
        assertEquals(-2, s.cumulativeLost());
        assertEquals(0, s.report(0, 0).fractionLost());
    }

    @Test
    void jitterFollowsVaryingTransit() {
        ReceptionStats s = new ReceptionStats(1);
        for (int i = 0; i < 1000; i++) {
            s.received(i, 3000L * i, 3000L * i + (i % 2 == 0 ? 0 : 160)); // transit alternates by 160 units
        }
        assertEquals(160, s.jitter(), 8);
    }

    @Test
    void middle32() {
        assertEquals(0x56789ABCL, ReceptionStats.middle32(0x123456789ABCDEF0L));
    }
}
