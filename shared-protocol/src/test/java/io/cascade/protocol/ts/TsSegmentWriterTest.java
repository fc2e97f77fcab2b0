package io.cascade.protocol.ts;

import static io.cascade.protocol.flv.Hex.bytes;
import static io.cascade.protocol.flv.Hex.hex;
import static io.cascade.protocol.ts.TsSegmentWriter.AUDIO_PID;
import static io.cascade.protocol.ts.TsSegmentWriter.PAT_PID;
import static io.cascade.protocol.ts.TsSegmentWriter.PMT_PID;
import static io.cascade.protocol.ts.TsSegmentWriter.VIDEO_PID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.h264.AvcVectors;
import io.cascade.protocol.h265.HevcVectors;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TsSegmentWriterTest {
    /** libx264 720p main: SPS 67 4D 40 1F ..., PPS 68 EB E3 CB 20. */
    static final byte[] AVC_CONFIG = AvcVectors.CONFIGS.get(0).record();
    static final byte[] SPS = bytes("674d401feca02802dd8088000003000800000301e078c18cb0");
    static final byte[] PPS = bytes("68ebe3cb20");
    /** AAC LC 48 kHz stereo: one frame is 1920 ticks of 90 kHz. */
    static final byte[] ASC_LC_48K_STEREO = AacVectors.CONFIGS.get(0).data();
    static final byte[] IDR = bytes("6588840021ffff");
    static final byte[] P_SLICE = bytes("419a236c7f8f8e8ff34cd34eb71790");
    static final byte[] SEI = bytes("06 05 01 aa 80");
    static final byte[] AUD = bytes("09f0");
    static final TsTrackConfig AVC_AAC = TsTrackConfig.of(Codec.H264, AVC_CONFIG, ASC_LC_48K_STEREO);

    /** Access unit with 4-byte length prefixes. */
    static byte[] au(byte[]... nals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] n : nals) {
            out.writeBytes(new byte[] {(byte) (n.length >>> 24), (byte) (n.length >>> 16), (byte) (n.length >>> 8),
                                       (byte) n.length});
            out.writeBytes(n);
        }
        return out.toByteArray();
    }

    static byte[] aacFrame(int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) {
            f[i] = (byte) (seed * 31 + i);
        }
        return f;
    }

    /** 1 s of 25 fps video (GOP of 25, with B-frame style PTS offsets) and 48 kHz AAC, interleaved by DTS. */
    static List<TsSample> oneSecond(long start90k) {
        List<TsSample> samples = new ArrayList<>();
        int audio = 0;
        for (int v = 0; v < 25; v++) {
            long dts = start90k + v * 3600L;
            while (start90k + audio * 1920L <= dts) {
                samples.add(TsSample.audio(start90k + audio * 1920L, aacFrame(150 + audio % 7 * 40, audio)));
                audio++;
            }
            boolean key = v == 0;
            samples.add(TsSample.video(dts, dts + 7200, key, key ? au(SEI, IDR) : au(P_SLICE)));
        }
        return samples;
    }

    static TinyTsDemuxer.Result demux(byte[] ts) {
        return TinyTsDemuxer.parse(ts, PAT_PID, PMT_PID);
    }

    // ---- packets

    @Test
    void everyPacketIs188BytesWithTheSyncByteAndOneOfFourPids() {
        byte[] ts = TsSegmentWriter.segment(AVC_AAC, oneSecond(0));
        assertEquals(0, ts.length % 188);
        TinyTsDemuxer.Result r = demux(ts); // checks sync bytes, flags, CC, CRC, PES syntax
        Set<Integer> pids = new HashSet<>();
        r.packets().forEach(p -> pids.add(p.pid()));
        assertEquals(Set.of(PAT_PID, PMT_PID, VIDEO_PID, AUDIO_PID), pids);
        assertEquals(PAT_PID, r.packets().get(0).pid());
        assertEquals(PMT_PID, r.packets().get(1).pid());
    }

    @Test
    void continuityCountersStartAtZeroAndOnlyEachPidsFirstPacketSignalsADiscontinuity() {
        TinyTsDemuxer.Result r = demux(TsSegmentWriter.segment(AVC_AAC, oneSecond(0)));
        for (int pid : new int[] {PAT_PID, PMT_PID, VIDEO_PID, AUDIO_PID}) {
            List<TinyTsDemuxer.Packet> ps = r.packets(pid);
            for (int i = 0; i < ps.size(); i++) {
                assertEquals(i & 0x0F, ps.get(i).cc(), "PID " + pid + " packet " + i);
                assertEquals(i == 0, ps.get(i).discontinuity(), "PID " + pid + " packet " + i);
            }
        }
        assertTrue(r.packets(VIDEO_PID).size() > 16, "the counter wraps inside the segment");
    }

    @Test
    void patAndPmtDescribeOneProgramWithTheRightStreamTypes() {
        TinyTsDemuxer.Result r = demux(TsSegmentWriter.segment(AVC_AAC, oneSecond(0)));
        assertEquals(2, r.sections().size(), "one PAT and one PMT per segment");
        TinyTsDemuxer.Section pat = r.sections().get(0);
        assertEquals(0x00, pat.tableId());
        assertEquals("0001F000", hex(pat.body())); // program 1 -> PMT PID 0x1000
        TinyTsDemuxer.Section pmt = r.sections().get(1);
        assertEquals(0x02, pmt.tableId());
        assertEquals(1, pmt.tableIdExtension());
        assertEquals("E100F0001BE100F0000FE101F000", hex(pmt.body())); // PCR 0x100; H.264 0x100; AAC 0x101

        byte[] hevc = TsSegmentWriter.segment(TsTrackConfig.videoOnly(Codec.H265, HevcVectors.CONFIGS.get(0).record()),
                List.of(TsSample.video(0, 0, true, au(bytes("2601af11")))));
        assertEquals("E100F00024E100F000", hex(demux(hevc).sections().get(1).body()));

        byte[] audioOnly = TsSegmentWriter.segment(TsTrackConfig.audioOnly(ASC_LC_48K_STEREO),
                List.of(TsSample.audio(0, aacFrame(10, 0))));
        assertEquals("E101F0000FE101F000", hex(demux(audioOnly).sections().get(1).body())); // PCR on the audio PID
    }

    @Test
    void pcrRidesOnEveryVideoPesStartAtDtsMinus100Ms() {
        List<TsSample> samples = oneSecond(900_000);
        TinyTsDemuxer.Result r = demux(TsSegmentWriter.segment(AVC_AAC, samples));
        List<TinyTsDemuxer.Pes> video = r.pes(VIDEO_PID);
        assertEquals(25, video.size());
        for (TinyTsDemuxer.Pes p : video) {
            long dts = p.dts() >= 0 ? p.dts() : p.pts();
            assertEquals((dts - 9000) * 300, p.pcr27());
        }
        r.packets(AUDIO_PID).forEach(p -> assertEquals(-1, p.pcr27(), "no PCR on the audio PID"));
        // PCRs only in first packets of a PES
        r.packets(VIDEO_PID).forEach(p -> assertEquals(p.unitStart(), p.pcr27() >= 0));
    }

    @Test
    void pcrNeverGoesBelowZeroAtTheStartOfATimelineAndKeepsRising() {
        // DTS / 2 for the first 200 ms, then DTS - 100 ms; strictly increasing with the DTS
        long[][] dtsToPcrBase = {{0, 0}, {3600, 1800}, {17_999, 8999}, {18_000, 9000}, {90_000, 81_000},
                                 {-3600, (1L << 33) - 12_600}, {(1L << 33) + 100_000, 91_000}};
        for (long[] c : dtsToPcrBase) {
            assertEquals(c[1] * 300, TsSegmentWriter.pcr27(c[0]), "DTS " + c[0]);
        }
        long last = -1;
        for (long dts = 0; dts < 40_000; dts += 7) {
            long pcr = TsSegmentWriter.pcr27(dts);
            assertTrue(pcr > last, "DTS " + dts);
            last = pcr;
        }
        TinyTsDemuxer.Result r = demux(TsSegmentWriter.segment(AVC_AAC, List.of(TsSample.video(0, 7200, true, au(IDR)))));
        assertEquals(0, r.pes(VIDEO_PID).get(0).pcr27());
    }

    @Test
    void audioOnlySegmentsCarryThePcrOnAudioPesStarts() {
        List<TsSample> samples = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            samples.add(TsSample.audio(900_000 + i * 1920L, aacFrame(300, i)));
        }
        TinyTsDemuxer.Result r = demux(TsSegmentWriter.segment(TsTrackConfig.audioOnly(ASC_LC_48K_STEREO), samples));
        assertEquals(Set.of(PAT_PID, PMT_PID, AUDIO_PID),
                new HashSet<>(r.packets().stream().map(TinyTsDemuxer.Packet::pid).toList()));
        long last = -1;
        for (TinyTsDemuxer.Pes p : r.pes(AUDIO_PID)) {
            assertEquals((p.pts() - 9000) * 300, p.pcr27());
            if (last >= 0) {
                assertTrue(p.pcr27() - last <= 100 * 27_000, "PCRs at most 100 ms apart");
            }
            last = p.pcr27();
        }
    }

    // ---- PES and timestamps

    @Test
    void ptsAndDtsRoundTripAndDtsIsOmittedWhenEqual() {
        List<TsSample> samples = List.of(
                TsSample.video(3600, 10_800, true, au(IDR)),
                TsSample.audio(3700, aacFrame(20, 1)),
                TsSample.video(7200, 7200, false, au(P_SLICE)));
        TinyTsDemuxer.Result r = demux(TsSegmentWriter.segment(AVC_AAC, samples));
        List<TinyTsDemuxer.Pes> video = r.pes(VIDEO_PID);
        assertEquals(10_800, video.get(0).pts());
        assertEquals(3600, video.get(0).dts());
        assertEquals(7200, video.get(1).pts());
        assertEquals(-1, video.get(1).dts(), "no DTS when it equals the PTS");
        TinyTsDemuxer.Pes audio = r.pes(AUDIO_PID).get(0);
        assertEquals(3700, audio.pts());
        assertEquals(-1, audio.dts());
        assertEquals(0xE0, video.get(0).streamId());
        assertEquals(0xC0, audio.streamId());
        assertTrue(video.get(0).dataAlignment() && audio.dataAlignment());
    }

    @Test
    void timestampsAreWrittenModulo2Pow33() {
        long wrap = 1L << 33;
        List<TsSample> samples = List.of(
                TsSample.video(wrap - 3600, wrap + 3600, true, au(IDR)), // DTS before the wrap, PTS after it
                TsSample.video(-3600, 5 * wrap, false, au(P_SLICE)));
        List<TinyTsDemuxer.Pes> video = demux(TsSegmentWriter.segment(AVC_AAC, samples)).pes(VIDEO_PID);
        assertEquals(3600, video.get(0).pts());
        assertEquals(wrap - 3600, video.get(0).dts());
        assertEquals(0, video.get(1).pts());
        assertEquals(wrap - 3600, video.get(1).dts());
    }

    @Test
    void videoPesIsUnboundedAndAudioPesCountsItsBytes() {
        TinyTsDemuxer.Result r = demux(TsSegmentWriter.segment(AVC_AAC, oneSecond(0)));
        r.pes(VIDEO_PID).forEach(p -> assertEquals(0, p.pesPacketLength()));
        r.pes(AUDIO_PID).forEach(p -> assertEquals(3 + 5 + p.payload().length, p.pesPacketLength()));
    }

    @Test
    void randomAccessIndicatorOnKeyframesAndAudio() {
        TinyTsDemuxer.Result r = demux(TsSegmentWriter.segment(AVC_AAC, oneSecond(0)));
        List<TinyTsDemuxer.Pes> video = r.pes(VIDEO_PID);
        for (int i = 0; i < video.size(); i++) {
            assertEquals(i == 0, video.get(i).randomAccess(), "video PES " + i);
        }
        r.pes(AUDIO_PID).forEach(p -> assertTrue(p.randomAccess(), "every AAC frame is an access point"));
        r.packets().stream().filter(p -> !p.unitStart()).forEach(p -> assertFalse(p.randomAccess()));
    }

    // ---- Annex B

    @Test
    void keyframeGetsAudThenTheConfigsParameterSetsThenItsOwnNals() {
        byte[] es = onlyVideoPayload(TsSample.video(0, 0, true, au(SEI, IDR)));
        assertEquals(List.of(hex(AUD), hex(SPS), hex(PPS), hex(SEI), hex(IDR)), nalHex(es));
        assertEquals("00000001", hex(es).substring(0, 8), "4-byte start codes");
    }

    @Test
    void otherFramesGetOnlyAnAud() {
        assertEquals(List.of(hex(AUD), hex(P_SLICE)), nalHex(onlyVideoPayload(TsSample.video(0, 0, false, au(P_SLICE)))));
    }

    @Test
    void anAccessUnitsOwnAudAndParameterSetsAreNotRepeated() {
        byte[] ownSps = bytes("6742c01e");
        byte[] ownPps = bytes("68ce");
        byte[] ownAud = bytes("0910"); // primary_pic_type 0: the writer keeps the publisher's AUD as it is
        byte[] es = onlyVideoPayload(TsSample.video(0, 0, true, au(ownAud, ownSps, ownPps, IDR)));
        assertEquals(List.of(hex(ownAud), hex(ownSps), hex(ownPps), hex(IDR)), nalHex(es));
    }

    @Test
    void aMisplacedAudIsDroppedBecauseItWouldSplitTheAccessUnit() {
        byte[] es = onlyVideoPayload(TsSample.video(0, 0, false, au(SEI, AUD, P_SLICE)));
        assertEquals(List.of(hex(AUD), hex(SEI), hex(P_SLICE)), nalHex(es));
    }

    @Test
    void hevcKeyframeGetsAudVpsSpsPpsAndTheAudCarriesTheTemporalId() {
        HevcVectors.Config c = HevcVectors.CONFIGS.get(0);
        byte[] cra = bytes("2a01af0b"); // nal_unit_type 21 (CRA), TemporalId 0
        byte[] tsa = bytes("0403d011"); // nal_unit_type 2 (TSA_N), temporal_id_plus1 3
        TsTrackConfig hevc = TsTrackConfig.videoOnly(Codec.H265, c.record());
        List<TinyTsDemuxer.Pes> pes = demux(TsSegmentWriter.segment(hevc, List.of(
                TsSample.video(0, 0, true, au(cra)), TsSample.video(3600, 3600, false, au(tsa))))).pes(VIDEO_PID);
        List<byte[]> key = TinyTsDemuxer.annexBNals(pes.get(0).payload());
        assertEquals("460150", hex(key.get(0))); // AUD type 35, TemporalId 0, pic_type 2
        assertEquals(List.of(32, 33, 34, 21), key.subList(1, 5).stream().map(n -> (n[0] >> 1) & 0x3F).toList());
        assertEquals(hex(cra), hex(key.get(4)));
        List<byte[]> other = TinyTsDemuxer.annexBNals(pes.get(1).payload());
        assertEquals(List.of("460350", hex(tsa)), other.stream().map(n -> hex(n)).toList());
    }

    @Test
    void annexBOutputForEverySizeAroundPacketBoundaries() {
        // PES sizes that fill the last packet exactly, leave one byte (a 1-byte adaptation field), or leave most of it.
        boolean sawOneByteAdaptationField = false;
        for (int n = 1; n <= 600; n++) {
            byte[] nal = new byte[n];
            nal[0] = 0x01; // non-IDR slice header byte, then zeros ending in 0x42: no start code inside
            if (n > 1) {
                nal[n - 1] = 0x42;
            }
            TinyTsDemuxer.Result r = demux(TsSegmentWriter.segment(AVC_AAC, List.of(TsSample.video(0, 0, false, au(nal)))));
            TinyTsDemuxer.Pes pes = r.pes(VIDEO_PID).get(0);
            assertEquals(hex(bytes("00000001 09f0 00000001")) + hex(nal), hex(pes.payload()), "size " + n);
            // 14-byte PES header (PTS only) + AUD with start code + start code + NAL; the first packet gives 8 bytes to
            // its adaptation field (discontinuity_indicator and PCR), the others carry 184 payload bytes.
            int pesSize = 14 + 6 + 4 + n;
            int expectedPackets = pesSize <= 176 ? 1 : 1 + (pesSize - 176 + 183) / 184;
            List<TinyTsDemuxer.Packet> ps = r.packets(VIDEO_PID);
            assertEquals(expectedPackets, ps.size(), "size " + n);
            for (TinyTsDemuxer.Packet p : ps.subList(1, ps.size() - 1 < 1 ? 1 : ps.size() - 1)) {
                assertFalse(p.hasAdaptation(), "only the first and the last packet have an adaptation field");
            }
            sawOneByteAdaptationField |= ps.get(ps.size() - 1).adaptationLength() == 0;
        }
        assertTrue(sawOneByteAdaptationField);
    }

    // ---- audio

    @Test
    void adtsHeaderFieldsComeFromTheAudioSpecificConfig() {
        // name, ASC, expected (profile, sampling_frequency_index, channel_configuration)
        Object[][] cases = {
            {"LC 48 kHz stereo", "1190", 1, 3, 2},
            {"LC 44.1 kHz mono", "1208", 1, 4, 1},
            {"HE-AAC 22.05 kHz core -> LC at the core rate", "2b9208", 1, 7, 2},
            {"explicit 24-bit 48000 -> index 3", "17805dc010", 1, 3, 2},
            {"AAC Main 32 kHz 5.1", "0a b0", 0, 5, 6},
        };
        for (Object[] c : cases) {
            byte[] raw = aacFrame(333, 7);
            byte[] ts = TsSegmentWriter.segment(TsTrackConfig.audioOnly(bytes((String) c[1])),
                    List.of(TsSample.audio(0, raw)));
            byte[] es = demux(ts).pes(AUDIO_PID).get(0).payload();
            String name = (String) c[0];
            assertEquals(7 + 333, es.length, name);
            assertEquals(0xFFF, (es[0] & 0xFF) << 4 | (es[1] & 0xF0) >> 4, name + ": syncword");
            assertEquals(0, es[1] & 0x08, name + ": ID 0 (MPEG-4)");
            assertEquals(0, es[1] & 0x06, name + ": layer 0");
            assertEquals(1, es[1] & 0x01, name + ": protection_absent");
            assertEquals(c[2], (es[2] & 0xC0) >> 6, name + ": profile");
            assertEquals(c[3], (es[2] & 0x3C) >> 2, name + ": sampling_frequency_index");
            assertEquals(c[4], (es[2] & 0x01) << 2 | (es[3] & 0xC0) >> 6, name + ": channel_configuration");
            assertEquals(340, (es[3] & 0x03) << 11 | (es[4] & 0xFF) << 3 | (es[5] & 0xE0) >> 5, name + ": frame_length");
            assertEquals(0x7FF, (es[5] & 0x1F) << 6 | (es[6] & 0xFC) >> 2, name + ": buffer fullness (VBR)");
            assertEquals(0, es[6] & 0x03, name + ": one raw data block");
            assertArrayEquals(raw, java.util.Arrays.copyOfRange(es, 7, es.length), name);
        }
    }

    @Test
    void aacThatAdtsCannotCarryIsRejected() {
        for (String asc : new String[] {"f94640" /* USAC, type 42 */, "1180" /* channel configuration 0 */,
                                        "1780070810" /* explicit 3600 Hz */}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TsSegmentWriter.segment(
                    TsTrackConfig.audioOnly(bytes(asc)), List.of(TsSample.audio(0, aacFrame(10, 0)))), asc);
            assertTrue(e.getMessage().contains("ADTS"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> TsSegmentWriter.segment(
                TsTrackConfig.audioOnly(ASC_LC_48K_STEREO), List.of(TsSample.audio(0, new byte[8185]))));
    }

    @Test
    void aacFramesShareAPesUpTo100MsAndSplitAtGapsAndBeforeVideo() {
        List<TsSample> samples = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // 10 contiguous frames of 1920 ticks: 4 per PES (85.3 ms), then 4, then 2
            samples.add(TsSample.audio(i * 1920L + (i % 2), aacFrame(50, i))); // +-1 tick jitter stays contiguous
        }
        samples.add(TsSample.audio(10 * 1920L + 5000, aacFrame(50, 10))); // a 55 ms gap: new PES
        samples.add(TsSample.audio(11 * 1920L + 5000, aacFrame(50, 11)));
        samples.add(TsSample.video(11 * 1920L + 5000, 11 * 1920L + 5000, true, au(IDR))); // video: flush before it
        samples.add(TsSample.audio(12 * 1920L + 5000, aacFrame(50, 12)));
        TinyTsDemuxer.Result r = demux(TsSegmentWriter.segment(AVC_AAC, samples));
        List<TinyTsDemuxer.Pes> audio = r.pes(AUDIO_PID);
        assertEquals(List.of(4, 4, 2, 2, 1), audio.stream().map(p -> p.payload().length / 57).toList());
        assertEquals(List.of(0L, 4 * 1920L, 8 * 1920L, 10 * 1920L + 5000, 12 * 1920L + 5000),
                audio.stream().map(TinyTsDemuxer.Pes::pts).toList());
        // mux order follows the input: the last audio PES comes after the video PES
        int videoPacket = r.packets(VIDEO_PID).get(0).index();
        List<TinyTsDemuxer.Packet> audioStarts = r.packets(AUDIO_PID).stream().filter(TinyTsDemuxer.Packet::unitStart)
                .toList();
        assertTrue(audioStarts.get(3).index() < videoPacket && audioStarts.get(4).index() > videoPacket);
    }

    // ---- determinism

    @Test
    void sameSamplesGiveTheSameBytesWhateverWasWrittenBefore() {
        List<TsSample> first = oneSecond(0);
        List<TsSample> second = oneSecond(90_000);
        byte[] a = TsSegmentWriter.segment(AVC_AAC, second);
        TsSegmentWriter.segment(AVC_AAC, first); // a node that was there for the first segment too
        byte[] b = TsSegmentWriter.segment(AVC_AAC, List.copyOf(second));
        assertArrayEquals(a, b);
    }

    @Test
    void outputBytesArePinned() throws Exception {
        // Nodes of different versions serve the same segments during a rolling upgrade: any change of these bytes must be
        // deliberate (and released with all nodes at once). Update the digest only together with such a decision.
        byte[] ts = TsSegmentWriter.segment(AVC_AAC, oneSecond(123_456));
        String digest = hex(MessageDigest.getInstance("SHA-256").digest(ts));
        assertEquals(GOLDEN_SHA256, digest);
    }

    static final String GOLDEN_SHA256 = "54C8945FF8084AB1BDF8EF36E8FDC0F5E82320BB09F1ABADEF1587D0B1D64F2C";

    // ---- limits

    @Test
    void rejectsAnEmptySampleList() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TsSegmentWriter.segment(AVC_AAC, List.of()));
        assertTrue(e.getMessage().contains("no samples"), e.getMessage());
    }

    @Test
    void rejectsMoreThan100000Samples() {
        List<TsSample> many = Collections.nCopies(100_001, TsSample.audio(0, new byte[1]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TsSegmentWriter.segment(AVC_AAC, many));
        assertTrue(e.getMessage().contains("100000"), e.getMessage());
    }

    @Test
    void rejectsASampleOver16MiB() {
        byte[] big = new byte[16 * 1024 * 1024 + 1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TsSegmentWriter.segment(AVC_AAC, List.of(TsSample.video(0, 0, true, big))));
        assertTrue(e.getMessage().contains("16777216"), e.getMessage());
    }

    @Test
    void rejectsAConfigOver64KiB() {
        byte[] big = new byte[64 * 1024 + 1];
        big[0] = 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TsSegmentWriter.segment(
                TsTrackConfig.videoOnly(Codec.H264, big), List.of(TsSample.video(0, 0, true, au(IDR)))));
        assertTrue(e.getMessage().contains("65536"), e.getMessage());
    }

    @Test
    void theSegmentCannotGrowPastItsBound() {
        // MAX_SEGMENT_BYTES is 256 MiB; the packetizer enforces whatever bound it is given, checked here on a small one.
        TsPacketizer out = new TsPacketizer(188, 2 * 188);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> out.writePes(VIDEO_PID, new byte[14], new byte[400], -1, false));
        assertTrue(e.getMessage().contains("376"), e.getMessage());
    }

    @Test
    void rejectsUnparseableConfigsWithAMessageNamingThem() {
        for (byte[] bad : AvcVectors.BAD_CONFIGS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TsSegmentWriter.segment(
                    TsTrackConfig.videoOnly(Codec.H264, bad), List.of(TsSample.video(0, 0, true, au(IDR)))));
            assertTrue(e.getMessage().startsWith("unparseable AVCDecoderConfigurationRecord"), e.getMessage());
        }
        for (byte[] bad : HevcVectors.BAD_CONFIGS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TsSegmentWriter.segment(
                    TsTrackConfig.videoOnly(Codec.H265, bad), List.of(TsSample.video(0, 0, true, au(IDR)))));
            assertTrue(e.getMessage().startsWith("unparseable HEVCDecoderConfigurationRecord"), e.getMessage());
        }
        for (byte[] bad : AacVectors.BAD) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TsSegmentWriter.segment(
                    TsTrackConfig.audioOnly(bad), List.of(TsSample.audio(0, aacFrame(10, 0)))));
            assertTrue(e.getMessage().startsWith("unparseable AudioSpecificConfig"), e.getMessage());
        }
    }

    @Test
    void rejectsBrokenAccessUnitsAndSamplesOfAMissingTrack() {
        for (byte[] bad : new byte[][] {bytes("00000010", "419a"), bytes("00000000 00000002 419a"), bytes("000002"),
                                        new byte[0], AvcVectors.many(257)}) {
            assertThrows(IllegalArgumentException.class,
                    () -> TsSegmentWriter.segment(AVC_AAC, List.of(TsSample.video(0, 0, false, bad))), hex(bad));
        }
        byte[] many = au(Collections.nCopies(257, P_SLICE).toArray(new byte[0][]));
        assertThrows(IllegalArgumentException.class,
                () -> TsSegmentWriter.segment(AVC_AAC, List.of(TsSample.video(0, 0, false, many))));
        assertThrows(IllegalArgumentException.class, () -> TsSegmentWriter.segment(
                TsTrackConfig.audioOnly(ASC_LC_48K_STEREO), List.of(TsSample.video(0, 0, true, au(IDR)))));
        assertThrows(IllegalArgumentException.class, () -> TsSegmentWriter.segment(
                TsTrackConfig.videoOnly(Codec.H264, AVC_CONFIG), List.of(TsSample.audio(0, aacFrame(10, 0)))));
    }

    @Test
    void trackConfigNeedsATrackAndSupportedCodecs() {
        assertThrows(IllegalArgumentException.class, () -> new TsTrackConfig(null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new TsTrackConfig(Codec.AAC, AVC_CONFIG, null, null));
        assertThrows(IllegalArgumentException.class, () -> new TsTrackConfig(null, null, Codec.H264, AVC_CONFIG));
        assertThrows(IllegalArgumentException.class, () -> new TsTrackConfig(Codec.H264, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new TsTrackConfig(null, null, Codec.AAC, null));
    }

    private static byte[] onlyVideoPayload(TsSample s) {
        return demux(TsSegmentWriter.segment(AVC_AAC, List.of(s))).pes(VIDEO_PID).get(0).payload();
    }

    private static List<String> nalHex(byte[] es) {
        return TinyTsDemuxer.annexBNals(es).stream().map(n -> hex(n)).toList();
    }
}
