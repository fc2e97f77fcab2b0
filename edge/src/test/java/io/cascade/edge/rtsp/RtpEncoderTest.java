package io.cascade.edge.rtsp;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.Segmenter;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.h264.AvcVectors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RTP a stream's RTSP players share: here, what its sender reports say the wall clock is. */
class RtpEncoderTest {
    /** The wall clock the ingest node fixed at the stream's media time 0. */
    private static final long ANCHOR = 1_795_000_000_000L;
    private static final long NTP_UNIX_OFFSET_SECONDS = 2_208_988_800L;

    @Test
    void everySenderReportMapsMediaTimeToTheStreamsWallClock() {
        // 2 s GOPs: between keyframes the audio track reports on its own, from frames that carry no clock anchor
        Segmenter segmenter = new Segmenter(2000, 0, ANCHOR);
        RtpEncoder encoder = new RtpEncoder(Map.of(0, 0, 1, 2));
        List<byte[]> out = new ArrayList<>();
        long seq = 0;
        out.add(encoder.encode(segmenter.place(new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0,
                seq++, AvcVectors.CONFIGS.get(0).record())), 0));
        out.add(encoder.encode(segmenter.place(new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0,
                seq++, AacVectors.CONFIGS.get(0).data())), 0));
        long audio = 0;
        for (long t = 0; t < 6000; t += 40) {
            boolean key = t % 2000 == 0;
            out.add(encoder.encode(segmenter.place(new MediaFrame(0, Codec.H264, t, t, 1000,
                    key ? MediaFrame.FLAG_KEYFRAME : 0, 0, seq++,
                    new byte[]{0, 0, 0, 3, (byte) (key ? 0x65 : 0x41), (byte) 0x88, (byte) t})), t));
            while (audio * 64 / 3 <= t + 40) {
                long at = audio * 64 / 3;
                out.add(encoder.encode(segmenter.place(new MediaFrame(1, Codec.AAC, at, at, 1000, 0, 0, seq++,
                        new byte[]{0x21, 0x10, 0x05})), at));
                audio++;
            }
        }
        int reports = 0;
        for (byte[] records : out) {
            for (int p = 0; records != null && p + 4 <= records.length; ) {
                int channel = records[p + 1] & 0xFF;
                int length = (records[p + 2] & 0xFF) << 8 | (records[p + 3] & 0xFF);
                int body = p + 4;
                if (channel % 2 == 1 && (records[body + 1] & 0xFF) == 200) { // an RTCP channel, an SR
                    long seconds = readU32(records, body + 8) - NTP_UNIX_OFFSET_SECONDS;
                    long millis = seconds * 1000 + (readU32(records, body + 12) * 1000 >>> 32);
                    assertTrue(millis >= ANCHOR && millis <= ANCHOR + 6_100, "channel " + channel
                            + ": a sender report says the media is at " + millis + ", the stream began at " + ANCHOR);
                    reports++;
                }
                p = body + length;
            }
        }
        assertTrue(reports >= 8, "sender reports: " + reports);
    }

    private static long readU32(byte[] b, int p) {
        return (b[p] & 0xFFL) << 24 | (b[p + 1] & 0xFFL) << 16 | (b[p + 2] & 0xFFL) << 8 | (b[p + 3] & 0xFFL);
    }
}
