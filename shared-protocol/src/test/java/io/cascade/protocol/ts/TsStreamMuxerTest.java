package io.cascade.protocol.ts;

import static io.cascade.protocol.ts.TsSegmentWriter.AUDIO_PID;
import static io.cascade.protocol.ts.TsSegmentWriter.PAT_PID;
import static io.cascade.protocol.ts.TsSegmentWriter.PMT_PID;
import static io.cascade.protocol.ts.TsSegmentWriter.VIDEO_PID;
import static io.cascade.protocol.ts.TsSegmentWriterTest.ASC_LC_48K_STEREO;
import static io.cascade.protocol.ts.TsSegmentWriterTest.AVC_CONFIG;
import static io.cascade.protocol.ts.TsSegmentWriterTest.IDR;
import static io.cascade.protocol.ts.TsSegmentWriterTest.P_SLICE;
import static io.cascade.protocol.ts.TsSegmentWriterTest.aacFrame;
import static io.cascade.protocol.ts.TsSegmentWriterTest.au;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The live transport stream an MPEG-TS push sends: frames muxed once, each receiver's packets stamped on the way out.
 * What a receiver gets is read back with the independent {@link TinyTsDemuxer}, which fails on any continuity jump.
 */
class TsStreamMuxerTest {
    private static final int SEGMENTLESS = -1;

    private static MediaFrame videoConfig() {
        return new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG, SEGMENTLESS, 0, AVC_CONFIG);
    }

    private static MediaFrame audioConfig() {
        return new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG, SEGMENTLESS, 0, ASC_LC_48K_STEREO);
    }

    private static MediaFrame video(long ms, boolean key) {
        return new MediaFrame(0, Codec.H264, ms, ms + 80, 1000, key ? MediaFrame.FLAG_KEYFRAME : 0, SEGMENTLESS, 0,
                key ? au(IDR) : au(P_SLICE));
    }

    private static MediaFrame audio(long ms, int n) {
        return new MediaFrame(1, Codec.AAC, ms, ms, 1000, 0, SEGMENTLESS, 0, aacFrame(180 + n % 5 * 30, n));
    }

    /** {@code seconds} of 25 fps video (a keyframe a second) and 48 kHz AAC from {@code startMs}, in decode order. */
    private static List<MediaFrame> live(long startMs, int seconds) {
        List<MediaFrame> frames = new ArrayList<>();
        int a = 0;
        for (int v = 0; v < 25 * seconds; v++) {
            long t = startMs + v * 40L;
            while (startMs + a * 21L <= t) { // 1024 samples at 48 kHz: 21.3 ms, kept to whole ms
                frames.add(audio(startMs + a * 21L, a));
                a++;
            }
            frames.add(video(t, v % 25 == 0));
        }
        return frames;
    }

    /** What one receiver is sent of the muxed frames it takes: PSI when due, every counter stamped. */
    private static final class Receiver {
        final TsContinuity continuity = new TsContinuity();
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        int psiSent;

        void take(byte[] muxed, MediaFrame frame, long ts) {
            boolean psi = continuity.psiDue(ts, frame.isKeyframe());
            psiSent += psi ? 1 : 0;
            int from = psi ? 0 : TsStreamMuxer.PSI_PACKETS * TsStreamMuxer.PACKET_SIZE;
            ByteBuffer packets = ByteBuffer.wrap(muxed.clone()); // the muxed bytes are shared: never written
            for (int p = from; p < muxed.length; p += TsStreamMuxer.PACKET_SIZE) {
                continuity.stamp(packets, p);
            }
            sent.write(packets.array(), from, muxed.length - from);
        }

        TinyTsDemuxer.Result demux() {
            return TinyTsDemuxer.parse(sent.toByteArray(), PAT_PID, PMT_PID);
        }
    }

    @Test
    void aReceiverGetsAContinuousStreamWithTablesAtKeyframesAndEvery100Ms() {
        TsStreamMuxer muxer = new TsStreamMuxer();
        assertNull(muxer.mux(videoConfig(), 0), "a configuration is kept, not sent");
        assertNull(muxer.mux(audioConfig(), 0));
        Receiver r = new Receiver();
        List<MediaFrame> frames = live(0, 3);
        for (MediaFrame f : frames) {
            r.take(muxer.mux(f, f.dtsMillis()), f, f.dtsMillis());
        }
        TinyTsDemuxer.Result got = r.demux(); // fails on any counter that does not follow
        assertTrue(got.packets().stream().noneMatch(TinyTsDemuxer.Packet::discontinuity),
                "a live stream's counters and clock run on: no packet says they restart");
        assertEquals(frames.stream().filter(f -> f.codec() == Codec.H264).count(), got.pes(VIDEO_PID).size());
        assertEquals(frames.stream().filter(f -> f.codec() == Codec.AAC).count(), got.pes(AUDIO_PID).size());
        // PAT and PMT: at the start, at each of the 3 keyframes, and never more than 100 ms apart
        assertTrue(r.psiSent >= 30 && r.psiSent <= 40, "tables sent " + r.psiSent + " times in 3 s");
        assertEquals(2 * r.psiSent, got.sections().size());
        assertEquals(PAT_PID, got.packets().get(0).pid());
        assertEquals(PMT_PID, got.packets().get(1).pid());
        // the PCR rides on every video PES, 100 ms before its DTS, so it is never more than a frame apart
        List<TinyTsDemuxer.Pes> video = got.pes(VIDEO_PID);
        for (TinyTsDemuxer.Pes pes : video) {
            assertTrue(pes.pcr27() >= 0, "video PES without a PCR");
        }
        assertEquals((video.get(50).dts() - 9_000) * 300, video.get(50).pcr27());
        assertTrue(video.get(25).randomAccess() && !video.get(26).randomAccess());
        assertTrue(got.pes(AUDIO_PID).stream().allMatch(p -> p.pcr27() < 0), "the PCR is on the video PID only");
    }

    @Test
    void receiversThatJoinLateOrSkipFramesEachGetContinuousCounters() {
        TsStreamMuxer muxer = new TsStreamMuxer();
        muxer.mux(videoConfig(), 0);
        muxer.mux(audioConfig(), 0);
        Receiver early = new Receiver();
        Receiver late = new Receiver();
        Receiver skipping = new Receiver();
        List<MediaFrame> frames = live(5_000, 3);
        boolean lateStarted = false;
        for (int i = 0; i < frames.size(); i++) {
            MediaFrame f = frames.get(i);
            byte[] muxed = muxer.mux(f, f.dtsMillis());
            early.take(muxed, f, f.dtsMillis());
            // joins at the second keyframe, as a viewer starts at a random access point
            lateStarted |= f.isKeyframe() && f.dtsMillis() >= 6_000;
            if (lateStarted) {
                late.take(muxed, f, f.dtsMillis());
            }
            // falls behind for a while in the middle: frames skipped, resumes at a keyframe
            boolean skipped = f.dtsMillis() > 5_500 && f.dtsMillis() < 7_000;
            if (!skipped) {
                skipping.take(muxed, f, f.dtsMillis());
            }
        }
        for (Receiver r : List.of(early, late, skipping)) {
            TinyTsDemuxer.Result got = r.demux();
            assertEquals(PAT_PID, got.packets().get(0).pid());
            assertTrue(got.pes(VIDEO_PID).get(0).randomAccess());
        }
        assertEquals(50, late.demux().pes(VIDEO_PID).size());
    }

    @Test
    void theTablesSayWhenTheTracksChange() {
        TsStreamMuxer muxer = new TsStreamMuxer();
        muxer.mux(audioConfig(), 0);
        byte[] audioOnly = muxer.mux(audio(0, 0), 0);
        TinyTsDemuxer.Result a = TinyTsDemuxer.parse(audioOnly, PAT_PID, PMT_PID);
        assertTrue(a.pes(AUDIO_PID).get(0).pcr27() >= 0, "without video the PCR is on the audio PID");
        muxer.reset(); // the publisher went away and comes back with video too
        assertNull(muxer.mux(video(40, true), 40), "no frame before its configuration");
        muxer.mux(videoConfig(), 40);
        muxer.mux(audioConfig(), 40);
        TinyTsDemuxer.Result av = TinyTsDemuxer.parse(muxer.mux(video(40, true), 40), PAT_PID, PMT_PID);
        int before = a.sections().get(1).version();
        int after = av.sections().get(1).version();
        assertNotEquals(before, after, "a receiver must read the new PMT");
        assertEquals(2, av.sections().get(1).body().length / 5, "two elementary streams");
        // the same tracks again keep the version: a receiver has nothing to read again
        muxer.mux(audioConfig(), 80);
        TinyTsDemuxer.Result again = TinyTsDemuxer.parse(muxer.mux(audio(80, 1), 80), PAT_PID, PMT_PID);
        assertEquals(after, again.sections().get(1).version());
    }

    @Test
    void dataDamagedFramesAndOtherCodecsSendNothing() {
        TsStreamMuxer muxer = new TsStreamMuxer();
        muxer.mux(videoConfig(), 0);
        assertNull(muxer.mux(new MediaFrame(2, Codec.AMF0_METADATA, 0, 0, 1000, 0, SEGMENTLESS, 0, new byte[3]), 0));
        assertNull(muxer.mux(new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_KEYFRAME, SEGMENTLESS, 0,
                new byte[] {0, 0, 0, 9, 1}), 0), "length prefixes that do not fit the access unit");
        assertNull(muxer.mux(audio(0, 0), 0), "audio without its configuration");
        assertFalse(muxer.mux(video(0, true), 0) == null, "the stream goes on");
    }

    @Test
    void aTimestampIsTheReceiversTimelineNotTheFrames() {
        TsStreamMuxer muxer = new TsStreamMuxer();
        muxer.mux(videoConfig(), 0);
        MediaFrame f = video(1_000, true);
        // a republish continued 60 s later on the viewers' timeline: PTS - DTS is kept, both shifted
        TinyTsDemuxer.Pes pes = TinyTsDemuxer.parse(muxer.mux(f, 61_000), PAT_PID, PMT_PID).pes(VIDEO_PID).get(0);
        assertEquals(61_000L * 90, pes.dts());
        assertEquals(61_080L * 90, pes.pts());
    }

    @Test
    void stampingKeepsTheCounterOfAPacketWithoutPayloadAndRefusesWhatIsNoPacket() {
        TsContinuity c = new TsContinuity();
        ByteBuffer b = ByteBuffer.allocate(3 * 188);
        for (int i = 0; i < 3; i++) {
            b.put(i * 188, (byte) 0x47).put(i * 188 + 1, (byte) 0x01).put(i * 188 + 2, (byte) 0x00)
                    .put(i * 188 + 3, (byte) (i == 1 ? 0x2F : 0x1F)); // the middle one: adaptation field only
            c.stamp(b, i * 188);
        }
        assertEquals(0x10, b.get(3) & 0xFF);
        assertEquals(0x20, b.get(188 + 3) & 0xFF, "no payload: the counter stays");
        assertEquals(0x11, b.get(2 * 188 + 3) & 0xFF);
        assertThrows(IllegalArgumentException.class, () -> c.stamp(b, 2 * 188 + 1));
        assertThrows(IllegalArgumentException.class, () -> c.stamp(ByteBuffer.allocate(188), 0));
    }
}
