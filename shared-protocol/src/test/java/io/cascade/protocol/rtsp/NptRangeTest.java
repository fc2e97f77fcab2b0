package io.cascade.protocol.rtsp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The Range header of a PLAY and the range an answer and a description state (RFC 2326 3.6, RFC 7826 4.4.2). */
class NptRangeTest {
    @Test
    void readsTheFormsClientsSend() {
        assertEquals(new NptRange(10_000, NptRange.OPEN), NptRange.parse("npt=10-"));
        assertEquals(new NptRange(9_869, NptRange.OPEN), NptRange.parse("npt=9.869-"), "ffmpeg's -ss");
        assertEquals(new NptRange(0, NptRange.OPEN), NptRange.parse("npt=0.000-"));
        assertEquals(new NptRange(10_500, 20_000), NptRange.parse("npt=10.5-20"));
        assertEquals(new NptRange(65_200, NptRange.OPEN), NptRange.parse("npt=0:01:05.2-"));
        assertEquals(new NptRange(3_723_000, NptRange.OPEN), NptRange.parse("npt = 1:02:03-"));
        assertEquals(new NptRange(NptRange.NOW, NptRange.OPEN), NptRange.parse("npt=now-"));
        assertEquals(new NptRange(NptRange.NOW, 5_000), NptRange.parse("npt=-5"));
        assertEquals(new NptRange(1_234, NptRange.OPEN), NptRange.parse("NPT=1.2345678-;time=19970123T143720Z"));
    }

    @Test
    void anythingElseIsNoRangeAndPlaysOn() {
        for (String header : new String[] {null, "", "smpte=10:07:00-", "clock=19961108T142300Z-", "npt=abc-",
                "npt=10", "npt=20-10", "npt=1:99:00-", "npt=1:2-", "npt=99999999999999-", "npt=1.-2.x",
                "npt=" + "1".repeat(80) + "-"}) {
            assertNull(NptRange.parse(header), String.valueOf(header));
        }
    }

    @Test
    void writesSecondsWithThreeDecimals() {
        assertEquals("npt=0.000-16.023", NptRange.format(0, 16_023));
        assertEquals("npt=10.000-", NptRange.format(10_000, NptRange.OPEN));
        assertEquals("npt=0.000-", NptRange.format(-5, NptRange.OPEN));
    }
}
