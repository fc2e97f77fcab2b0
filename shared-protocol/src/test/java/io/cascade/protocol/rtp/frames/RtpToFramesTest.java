package io.cascade.protocol.rtp.frames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.rtp.RtcpPacket;
import io.cascade.protocol.rtp.RtpPacket;
import io.cascade.protocol.rtp.frames.PublisherCaptures.Chunk;
import io.cascade.protocol.rtp.frames.PublisherCaptures.Collector;
import io.cascade.protocol.rtp.payload.Packetizer;
import io.cascade.protocol.sdp.SdpException;
import io.cascade.protocol.sdp.SdpFormats;
import io.cascade.protocol.sdp.SessionDescription;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What RtpToFrames does with tracks, losses, reordering, sender reports and bad input, on the publisher captures. */
class RtpToFramesTest {
    private static final String NAME = "x264_default";

    private static List<Chunk> capture() {
        return PublisherCaptures.chunks(NAME);
    }

    private static Collector run(List<Chunk> chunks, boolean reorder, long wait) {
        return PublisherCaptures.run(PublisherCaptures.sdp(NAME), chunks, reorder, wait);
    }

    private static void assertSameFrames(List<MediaFrame> expected, List<MediaFrame> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            MediaFrame e = expected.get(i);
            MediaFrame a = actual.get(i);
            String where = "frame " + i + ": " + e + " / " + a;
            assertEquals(e.track(), a.track(), where);
            assertEquals(e.codec(), a.codec(), where);
            assertEquals(e.dts(), a.dts(), where);
            assertEquals(e.pts(), a.pts(), where);
            assertEquals(e.flags(), a.flags(), where);
            assertArrayEquals(e.payload(), a.payload(), where);
        }
    }

    private static int rtpTimestamp(Chunk c) {
        byte[] d = c.data();
        return (d[4] & 0xFF) << 24 | (d[5] & 0xFF) << 16 | (d[6] & 0xFF) << 8 | (d[7] & 0xFF);
    }

    // ---- the SDP

    @Test
    void tracksFromSdpNamesEachSectionAndWhyOthersAreNotCarried() throws SdpException {
        String sdp = PublisherCaptures.sdp(NAME)
                + "m=video 0 RTP/AVP 98\r\na=rtpmap:98 VP8/90000\r\n"
                + "m=application 0 RTP/AVP 99\r\na=rtpmap:99 text/1000\r\n"
                + "m=audio 0 RTP/AVP 0\r\n";
        List<RtpToFrames.AnnouncedTrack> t = RtpToFrames.tracksFromSdp(SessionDescription.parse(sdp));
        assertEquals(5, t.size());
        assertEquals(0, t.get(0).mediaIndex());
        assertEquals(RtpToFrames.VIDEO_TRACK, t.get(0).track().track());
        assertEquals(Codec.H264, t.get(0).track().codec());
        assertEquals(96, t.get(0).track().payloadType());
        assertEquals(90000, t.get(0).track().clockRate());
        assertEquals(RtpToFrames.AUDIO_TRACK, t.get(1).track().track());
        assertEquals(Codec.AAC, t.get(1).track().codec());
        assertEquals(48000, t.get(1).track().clockRate());
        assertArrayEquals(new byte[] {0x11, (byte) 0x88, 0x56, (byte) 0xE5, 0x00}, t.get(1).track().config());
        for (int i = 2; i < 5; i++) {
            assertFalse(t.get(i).supported());
            assertEquals(i, t.get(i).mediaIndex());
            assertNull(t.get(i).track());
        }
        assertTrue(t.get(2).unsupported().contains("a second video section"), t.get(2).unsupported());
        assertTrue(t.get(3).unsupported().contains("application"), t.get(3).unsupported());
        assertTrue(t.get(4).unsupported().contains("a second audio section"), t.get(4).unsupported());

        // The first usable section of a kind is the one taken.
        String vp8First = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n"
                + "m=video 0 RTP/AVP 98\r\na=rtpmap:98 VP8/90000\r\n"
                + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n";
        List<RtpToFrames.AnnouncedTrack> v = RtpToFrames.tracksFromSdp(SessionDescription.parse(vp8First));
        assertTrue(v.get(0).unsupported().contains("VP8"), v.get(0).unsupported());
        assertEquals(1, v.get(1).mediaIndex());
        assertNull(v.get(1).track().config(), "no sprop: the parameter sets come in band");

        String none = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n"
                + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=2\r\n"
                + "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=fmtp:97 mode=AAC-hbr\r\n";
        SdpException e = assertThrows(SdpException.class, () -> RtpToFrames.tracksFromSdp(SessionDescription.parse(none)));
        assertTrue(e.getMessage().contains("packetization-mode 2") && e.getMessage().contains("sizeLength"),
                e.getMessage());
    }

    @Test
    void trackFromSdpRefusesTheWrongTrackNumber() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(PublisherCaptures.sdp(NAME));
        assertThrows(SdpException.class, () -> RtpToFrames.Track.fromSdp(sdp.media().get(0), RtpToFrames.AUDIO_TRACK));
        assertThrows(SdpException.class, () -> RtpToFrames.Track.fromSdp(sdp.media().get(1), RtpToFrames.VIDEO_TRACK));
        assertThrows(IllegalArgumentException.class, () -> new RtpToFrames(List.of(
                RtpToFrames.Track.fromSdp(sdp.media().get(1), 1), RtpToFrames.Track.fromSdp(sdp.media().get(1), 1)),
                false, 0, new Collector()));
    }

    // ---- round trip

    @Test
    void framesToRtpAndBackGivesTheSamePayloadsAndTimestamps() throws Exception {
        Collector original = run(capture(), false, 0);
        List<RtpToFrames.Track> tracks = new ArrayList<>();
        List<List<byte[]>> wire = new ArrayList<>();
        for (int track = 0; track < 2; track++) {
            MediaFrame config = original.configs(track).get(0);
            Codec codec = config.codec();
            int clockRate = FramesToRtp.clockRate(codec, config.payload());
            tracks.add(RtpToFrames.Track.fromSdp(SdpFormats.describe(codec, config.payload(), "trackID=" + track), track));
            // a sequence number and a timestamp that wrap during the stream
            FramesToRtp sender = new FramesToRtp(codec, 96 + track, clockRate, 0x1234 + track, 65530, 0xFFFF0000L,
                    Packetizer.DEFAULT_MAX_PAYLOAD);
            List<byte[]> packets = new ArrayList<>();
            for (MediaFrame f : original.frames) {
                if (f.track() == track) {
                    packets.addAll(sender.packets(f));
                }
            }
            wire.add(packets);
        }
        Collector back = new Collector();
        RtpToFrames r = new RtpToFrames(tracks, false, 0, back);
        for (int track = 0; track < 2; track++) {
            for (byte[] p : wire.get(track)) {
                r.rtp(track, p, 0, p.length);
            }
        }
        r.flush();
        for (int track = 0; track < 2; track++) {
            assertSameFrames(original.media(track), back.media(track));
            assertArrayEquals(original.configs(track).get(0).payload(), back.configs(track).get(0).payload());
        }
        assertEquals(0, r.inputErrors());
    }

    // ---- loss and reordering

    @Test
    void aLostPacketInTheMiddleSkipsToTheNextKeyframe() {
        Collector whole = run(capture(), false, 0);
        List<Chunk> chunks = new ArrayList<>(capture());
        int videoPackets = 0;
        for (int i = 0; i < chunks.size(); i++) {
            if (chunks.get(i).channel() == 0 && ++videoPackets == 15) {
                chunks.remove(i); // a frame of the first GOP
                break;
            }
        }
        Collector c = run(chunks, false, 0);
        assertEquals(1, c.stats.lost());
        assertTrue(c.inputErrors >= 1);
        assertTrue(c.skips(RtpToFrames.Skip.DAMAGED) >= 1);
        List<MediaFrame> video = c.media(RtpToFrames.VIDEO_TRACK);
        List<MediaFrame> all = whole.media(RtpToFrames.VIDEO_TRACK);
        assertTrue(video.size() < all.size());
        // What comes out is the stream up to the loss, then the second GOP from its keyframe on.
        int secondGop = all.size() - 25;
        assertTrue(all.get(secondGop).isKeyframe());
        int before = video.size() - 25;
        assertTrue(before > 0 && before < secondGop, "frames before the loss: " + before);
        assertSameFrames(all.subList(0, before), video.subList(0, before));
        // From the keyframe on, the same frames; their decode times start again from the keyframe's presentation time
        // (the frames dropped are not there to take the ranks before it), within the reorder depth of the full run's.
        List<MediaFrame> after = video.subList(before, video.size());
        for (int i = 0; i < after.size(); i++) {
            MediaFrame e = all.get(secondGop + i);
            MediaFrame a = after.get(i);
            assertEquals(e.pts(), a.pts());
            assertEquals(e.flags(), a.flags());
            assertArrayEquals(e.payload(), a.payload());
            assertTrue(a.dts() >= e.dts() && a.dts() <= e.dts() + 2 * 3600, e + " / " + a);
        }
        assertEquals(after.get(0).pts(), after.get(0).dts());
        // Every unit between is counted, but the one that was in the lost packet alone: nothing of it came.
        assertEquals(secondGop - before - 1, c.stats.droppedBeforeKeyframe() + c.stats.damagedUnits());
        assertSameFrames(whole.media(RtpToFrames.AUDIO_TRACK), c.media(RtpToFrames.AUDIO_TRACK));
    }

    @Test
    void reorderingOverUdpRestoresTheOrder() {
        Collector inOrder = run(capture(), false, 0);
        List<Chunk> chunks = new ArrayList<>(capture());
        int swaps = 0;
        for (int i = 5; i + 1 < chunks.size(); i += 7) {
            if (!chunks.get(i).rtcp() && chunks.get(i).channel() == chunks.get(i + 1).channel()) {
                Chunk a = chunks.get(i);
                chunks.set(i, chunks.get(i + 1));
                chunks.set(i + 1, a);
                swaps++;
            }
        }
        chunks.add(30, chunks.get(29)); // a repeat of one just released
        assertTrue(swaps > 5);
        Collector udp = run(chunks, true, 0);
        assertSameFrames(inOrder.frames, udp.frames);
        assertEquals(0, udp.stats.lost());
        assertEquals(1, udp.stats.late() + udp.stats.duplicates());
        assertEquals(0, udp.inputErrors);

        // The same swaps over TCP, where nothing is reordered: losses and damage.
        Collector tcp = run(chunks, false, 0);
        assertTrue(tcp.media(0).size() < inOrder.media(0).size());
        assertTrue(tcp.inputErrors > 0);
    }

    @Test
    void aGapIsGivenUpAfterTheReorderTimeOfMedia() {
        List<Chunk> chunks = new ArrayList<>(capture());
        int videoPackets = 0;
        for (int i = 0; i < chunks.size(); i++) {
            if (chunks.get(i).channel() == 0 && ++videoPackets == 15) {
                chunks.remove(i);
                break;
            }
        }
        Collector udp = run(chunks, true, 0);
        Collector tcp = run(chunks, false, 0);
        assertEquals(1, udp.stats.lost());
        assertSameFrames(tcp.frames, udp.frames);
    }

    // ---- sender reports

    @Test
    void withoutReportsTheWaitEndsAfterRtcpWaitMillisOfMedia() {
        List<Chunk> rtpOnly = capture().stream().filter(c -> !c.rtcp()).toList();
        long[] firstTs = {-1, -1};
        long[] span = {0, 0};
        long[] spanAtFirstFrame = {-1};
        Collector c = new Collector() {
            @Override
            public void frame(MediaFrame f) {
                if (spanAtFirstFrame[0] < 0) {
                    spanAtFirstFrame[0] = Math.max(span[0] / 90, span[1] / 48);
                }
                super.frame(f);
            }
        };
        RtpToFrames r = new RtpToFrames(PublisherCaptures.tracks(PublisherCaptures.sdp(NAME)), false, 500, c);
        for (Chunk k : rtpOnly) {
            int t = k.track();
            long ts = rtpTimestamp(k) & 0xFFFFFFFFL;
            if (firstTs[t] < 0) {
                firstTs[t] = ts;
            }
            // the audio packets hold 15 frames of 1024 samples
            span[t] = Math.max(span[t], ts - firstTs[t] + (t == 1 ? 14 * 1024 : 0));
            r.rtp(t, k.data(), 0, k.data().length);
        }
        r.flush();
        assertTrue(spanAtFirstFrame[0] >= 500, "nothing before 500 ms of media: " + spanAtFirstFrame[0]);
        assertFalse(r.stats().alignedByReports());
        assertEquals(-1, r.originEpochMillis());
        Collector noWait = run(capture(), false, 0);
        for (int track = 0; track < 2; track++) {
            int t = track;
            assertSameFrames(noWait.frames.stream().filter(f -> f.track() == t).toList(),
                    c.frames.stream().filter(f -> f.track() == t).toList());
        }
        assertEquals(0, c.media(0).get(0).dts());
        assertEquals(0, c.media(1).get(0).dts());
    }

    @Test
    void aReportOnOneTrackOnlyIsNotEnough() {
        List<Chunk> chunks = capture().stream().filter(c -> c.channel() != 3).toList();
        Collector c = run(chunks, false, 1000);
        assertFalse(c.stats.alignedByReports());
        assertEquals(1, c.stats.senderReports());
        assertEquals(0, c.media(0).get(0).dts());
        assertEquals(0, c.media(1).get(0).dts());
    }

    @Test
    void laterReportsAreCountedButMoveNothing() throws Exception {
        Collector baseline = run(capture(), false, 5000);
        List<Chunk> chunks = new ArrayList<>(capture());
        // an SR one second off, on each track, once the timeline is fixed
        for (int track = 0; track < 2; track++) {
            Chunk rtp = chunks.stream().filter(k -> k.channel() == 0).skip(30).findFirst().orElseThrow();
            long ssrc = RtpPacket.parse(rtp.data(), 0, rtp.data().length).ssrc();
            byte[] sr = RtcpPacket.encodeSenderReport(ssrc, RtcpPacket.ntpFromEpochMillis(1_000_000_000_000L), 0, 1, 1,
                    List.of(), "x");
            chunks.add(40, new Chunk(track * 2 + 1, sr));
        }
        Collector c = run(chunks, false, 5000);
        assertEquals(4, c.stats.senderReports());
        assertTrue(c.stats.alignedByReports());
        assertSameFrames(baseline.frames, c.frames);
    }

    @Test
    void reportsThatPutTheTracksFarApartAreNotBelieved() throws Exception {
        List<Chunk> chunks = new ArrayList<>(capture());
        for (int i = 0; i < chunks.size(); i++) {
            if (chunks.get(i).channel() == 3) {
                RtcpPacket.SenderReport sr = (RtcpPacket.SenderReport) RtcpPacket.parseCompound(chunks.get(i).data()).get(0);
                long hourLater = sr.ntpTimestamp() + (3600L << 32);
                chunks.set(i, new Chunk(3, RtcpPacket.encodeSenderReport(sr.ssrc(), hourLater, sr.rtpTimestamp(),
                        sr.packetCount(), sr.octetCount(), List.of(), "x")));
            }
        }
        Collector c = run(chunks, false, 5000);
        assertFalse(c.stats.alignedByReports());
        assertTrue(c.skips.stream().anyMatch(s -> s.detail().contains("not believed")), c.skips.toString());
        assertEquals(0, c.media(0).get(0).dts());
        assertEquals(0, c.media(1).get(0).dts());
    }

    @Test
    void heldFramesAreBounded() throws Exception {
        byte[] asc = {0x11, (byte) 0x88};
        RtpToFrames.Track audio = RtpToFrames.Track.fromSdp(SdpFormats.describe(Codec.AAC, asc, "a"), 1);
        Collector c = new Collector();
        RtpToFrames r = new RtpToFrames(List.of(audio), false, 1_000_000, c);
        FramesToRtp sender = new FramesToRtp(Codec.AAC, 97, 48000, 1, 0, 0, Packetizer.DEFAULT_MAX_PAYLOAD);
        int n = RtpToFrames.MAX_HELD_FRAMES + 100;
        for (int i = 0; i < n; i++) {
            for (byte[] p : sender.packets(new MediaFrame(1, Codec.AAC, i * 1920L, i * 1920L, 90000, 0, 0, i,
                    new byte[] {(byte) i, 1, 2}))) {
                r.rtp(1, p, 0, p.length);
            }
            if (i < RtpToFrames.MAX_HELD_FRAMES - 1) {
                assertEquals(0, c.frames.size(), "held at frame " + i);
            }
        }
        assertEquals(n + 1, c.frames.size(), "released past the bound, then sent as they come");
        assertEquals(0, c.frames.get(1).dts());
        assertEquals((n - 1) * 1920L, c.frames.get(n).dts());
    }

    // ---- hostile input

    @Test
    void anAudioFrameTimedBeforeThePreviousIsDropped() throws Exception {
        byte[] asc = {0x11, (byte) 0x88};
        RtpToFrames.Track audio = RtpToFrames.Track.fromSdp(SdpFormats.describe(Codec.AAC, asc, "a"), 1);
        Collector c = new Collector(); // asserts monotonic decode times
        RtpToFrames r = new RtpToFrames(List.of(audio), false, 0, c);
        FramesToRtp sender = new FramesToRtp(Codec.AAC, 97, 48000, 1, 0, 0, Packetizer.DEFAULT_MAX_PAYLOAD);
        long[] times = {0, 1920, 3840, 1920, 5760};
        for (int i = 0; i < times.length; i++) {
            for (byte[] p : sender.packets(new MediaFrame(1, Codec.AAC, times[i], times[i], 90000, 0, 0, i,
                    new byte[] {(byte) i}))) {
                r.rtp(1, p, 0, p.length);
            }
        }
        r.flush();
        assertEquals(List.of(0L, 1920L, 3840L, 5760L), c.media(1).stream().map(MediaFrame::pts).toList());
        assertEquals(1, r.stats().untimedFrames());
    }

    @Test
    void badInputIsCountedAndNeverThrown() {
        Collector c = new Collector();
        RtpToFrames r = new RtpToFrames(PublisherCaptures.tracks(PublisherCaptures.sdp(NAME)), true, 0, c);
        byte[] good = capture().stream().filter(k -> k.channel() == 0).findFirst().orElseThrow().data();
        r.rtp(2, good, 0, good.length);
        r.rtp(-1, good, 0, good.length);
        r.rtcp(7, good, 0, good.length);
        assertEquals(3, r.stats().badTracks());
        r.rtp(0, null, 0, 10);
        r.rtp(0, good, 5, good.length);
        r.rtp(0, new byte[] {1, 2, 3}, 0, 3);
        r.rtp(0, new byte[20], 0, 20); // version 0
        assertEquals(4, r.stats().malformedPackets());
        byte[] otherType = good.clone();
        otherType[1] = (byte) (otherType[1] & 0x80 | 100);
        r.rtp(0, otherType, 0, otherType.length);
        assertEquals(1, r.stats().ignoredPackets());
        r.rtcp(0, new byte[] {(byte) 0x80, (byte) 200, 0, 50}, 0, 4);
        r.rtcp(1, null, 0, 0);
        assertEquals(2, r.stats().malformedRtcp());
        assertEquals(3 + 4 + 2, r.inputErrors());
        r.flush();
        r.rtp(0, good, 0, good.length);
        assertEquals(2, r.stats().ignoredPackets(), "after flush");
        assertEquals(0, r.stats().internalErrors());
    }

    @Test
    void unitsOfParameterSetsAlonePileUpNothing() {
        RtpToFrames.Track video = PublisherCaptures.tracks(PublisherCaptures.sdp(NAME)).get(0);
        Collector c = new Collector();
        RtpToFrames r = new RtpToFrames(List.of(video), false, 0, c);
        int n = 5000;
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[RtpPacket.HEADER_LENGTH + 4];
            RtpPacket.writeHeader(p, 0, true, 96, i, i * 3600L, 7);
            p[12] = 0x68; // a PPS, different each time: a new configuration each unit, and never a frame
            p[13] = (byte) (i >> 16);
            p[14] = (byte) (i >> 8);
            p[15] = (byte) i;
            r.rtp(0, p, 0, p.length);
        }
        r.flush();
        assertEquals(1, c.configs(0).size(), "each replaced the one before while no frame came");
        assertEquals(0, c.media(0).size());
        assertEquals(n, r.stats().droppedBeforeKeyframe());
    }

    @Test
    void anExceptionOfTheSinkComesOutUnchanged() {
        RuntimeException boom = new IllegalStateException("sink full");
        RtpToFrames r = new RtpToFrames(PublisherCaptures.tracks(PublisherCaptures.sdp(NAME)), false, 0,
                new RtpToFrames.Sink() {
                    @Override
                    public void frame(MediaFrame frame) {
                        throw boom;
                    }

                    @Override
                    public void skipped(RtpToFrames.Skip why, String detail) {
                    }
                });
        RuntimeException thrown = null;
        for (Chunk k : capture()) {
            try {
                if (k.rtcp()) {
                    r.rtcp(k.track(), k.data(), 0, k.data().length);
                } else {
                    r.rtp(k.track(), k.data(), 0, k.data().length);
                }
            } catch (RuntimeException e) {
                thrown = e;
                break;
            }
        }
        assertSame(boom, thrown);
        assertEquals(0, r.stats().internalErrors());
    }
}
