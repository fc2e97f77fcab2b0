package io.cascade.protocol.mp4;

import static io.cascade.protocol.flv.Hex.bytes;
import static io.cascade.protocol.mp4.BoxWalker.fourCc;
import static io.cascade.protocol.mp4.BoxWalker.only;
import static io.cascade.protocol.mp4.BoxWalker.u16;
import static io.cascade.protocol.mp4.BoxWalker.u32;
import static io.cascade.protocol.mp4.BoxWalker.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.flv.FlvVectors;
import io.cascade.protocol.h264.AvcVectors;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h265.HevcVectors;
import io.cascade.protocol.mp4.BoxWalker.Box;
import java.util.ArrayList;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CmafWriterTest {
    /** ffmpeg libx264 Main 1280x720 record, 4-byte NAL lengths. */
    static final byte[] AVC_720P = AvcVectors.CONFIGS.get(0).record();
    /** ffmpeg libx265 Main 64x64 record, 4-byte NAL lengths. */
    static final byte[] HEVC_64 = bytes(FlvVectors.HEVC_64_RECORD);
    /** AAC LC 48 kHz stereo. */
    static final byte[] ASC_48K_STEREO = AacVectors.CONFIGS.get(0).data();
    static final byte[] P_FRAME = AvcVectors.ACCESS_UNITS.get(0).fourByte();

    static CmafTrack avc() {
        return new CmafTrack(1, Codec.H264, 90000, AVC_720P);
    }

    static CmafTrack aac() {
        return new CmafTrack(2, Codec.AAC, 48000, ASC_48K_STEREO);
    }

    // ---- init segment ----

    @Test
    void h264InitSegmentHasTheCmafHeaderLayout() {
        byte[] init = CmafWriter.initSegment(avc());
        List<Box> top = BoxWalker.parse(init);
        assertEquals(List.of("ftyp", "moov"), BoxWalker.types(top));
        Box ftyp = top.get(0);
        assertEquals("iso6", fourCc(init, ftyp.payloadOffset()));
        List<String> compatible = new ArrayList<>();
        for (int p = ftyp.payloadOffset() + 8; p < ftyp.end(); p += 4) {
            compatible.add(fourCc(init, p));
        }
        assertEquals(List.of("iso6", "cmfc", "dash", "mp41"), compatible);

        Box moov = top.get(1);
        assertEquals(List.of("mvhd", "trak", "mvex"), moov.childTypes());
        Box trak = moov.child("trak");
        assertEquals(List.of("tkhd", "mdia"), trak.childTypes());
        assertEquals(List.of("mdhd", "hdlr", "minf"), trak.child("mdia").childTypes());
        assertEquals(List.of("vmhd", "dinf", "stbl"), trak.path("mdia/minf").childTypes());
        assertEquals(List.of("url "), trak.path("mdia/minf/dinf/dref").childTypes());
        Box stbl = trak.path("mdia/minf/stbl");
        assertEquals(List.of("stsd", "stts", "stsc", "stsz", "stco"), stbl.childTypes());
        assertEquals(List.of("avc1"), stbl.child("stsd").childTypes());
        assertEquals(List.of("avcC"), stbl.path("stsd/avc1").childTypes());
        for (String table : List.of("stts", "stsc", "stco")) {
            assertEquals(0, u32(init, stbl.child(table).fullBoxBody()), table + " entry_count");
        }
        assertEquals(0, u32(init, stbl.child("stsz").fullBoxBody() + 4), "stsz sample_count");

        Box tkhd = trak.child("tkhd");
        assertEquals(3, u32(init, tkhd.offset() + 8) & 0xFFFFFF, "tkhd flags enabled | in movie");
        assertEquals(1, u32(init, tkhd.fullBoxBody() + 8), "track_ID");
        assertEquals(1280 << 16, u32(init, tkhd.end() - 8));
        assertEquals(720 << 16, u32(init, tkhd.end() - 4));
        assertEquals(0, u32(init, moov.child("mvhd").fullBoxBody()), "creation_time is never the wall clock");
        assertEquals(2, u32(init, moov.child("mvhd").end() - 4), "next_track_ID");
        Box mdhd = trak.path("mdia/mdhd");
        assertEquals(90000, u32(init, mdhd.fullBoxBody() + 8), "mdhd timescale");
        assertEquals(0x55C4, u16(init, mdhd.fullBoxBody() + 16), "language und");
        assertEquals("vide", fourCc(init, trak.path("mdia/hdlr").fullBoxBody() + 4));
        Box trex = moov.path("mvex/trex");
        assertEquals(1, u32(init, trex.fullBoxBody()), "trex track_ID");
        assertEquals(1, u32(init, trex.fullBoxBody() + 4), "default_sample_description_index");

        Box avc1 = stbl.path("stsd/avc1");
        assertEquals(1, u16(init, avc1.payloadOffset() + 6), "data_reference_index");
        assertEquals(1280, u16(init, avc1.payloadOffset() + 24));
        assertEquals(720, u16(init, avc1.payloadOffset() + 26));
        Box avcC = avc1.child("avcC");
        // the libx264 record already has 4-byte lengths and no extension: re-encoding gives the same bytes
        assertArrayEquals(AVC_720P, Arrays.copyOfRange(init, avcC.payloadOffset(), avcC.end()));
    }

    @Test
    void avcCIsRewrittenToFourByteNalLengths() {
        byte[] twoByteLengths = AVC_720P.clone();
        twoByteLengths[4] = (byte) 0xFD; // lengthSizeMinusOne 1
        byte[] init = CmafWriter.initSegment(new CmafTrack(1, Codec.H264, 90000, twoByteLengths));
        Box avcC = only(BoxWalker.parse(init), "moov").path("trak/mdia/minf/stbl/stsd/avc1/avcC");
        assertEquals(0xFF, init[avcC.payloadOffset() + 4] & 0xFF);
        assertArrayEquals(AVC_720P, Arrays.copyOfRange(init, avcC.payloadOffset(), avcC.end()));
    }

    @Test
    void avcCOfAHighProfileRecordKeepsItsExtension() {
        byte[] high = AvcVectors.CONFIGS.get(1).record();
        byte[] init = CmafWriter.initSegment(new CmafTrack(1, Codec.H264, 90000, high));
        Box avcC = only(BoxWalker.parse(init), "moov").path("trak/mdia/minf/stbl/stsd/avc1/avcC");
        assertArrayEquals(high, Arrays.copyOfRange(init, avcC.payloadOffset(), avcC.end()));
    }

    @Test
    void hevcInitSegmentCarriesTheRecordWithFourByteLengths() {
        byte[] twoByteLengths = HEVC_64.clone();
        twoByteLengths[21] = (byte) (twoByteLengths[21] & 0xFC | 1);
        byte[] withTrailingJunk = Arrays.copyOf(twoByteLengths, twoByteLengths.length + 3);
        for (byte[] record : List.of(HEVC_64, twoByteLengths, withTrailingJunk)) {
            byte[] init = CmafWriter.initSegment(new CmafTrack(1, Codec.H265, 90000, record));
            Box stsd = only(BoxWalker.parse(init), "moov").path("trak/mdia/minf/stbl/stsd");
            assertEquals(List.of("hvc1"), stsd.childTypes());
            Box hvc1 = stsd.child("hvc1");
            assertEquals(64, u16(init, hvc1.payloadOffset() + 24));
            assertEquals(64, u16(init, hvc1.payloadOffset() + 26));
            Box hvcC = hvc1.child("hvcC");
            assertArrayEquals(HEVC_64, Arrays.copyOfRange(init, hvcC.payloadOffset(), hvcC.end()));
        }
    }

    @Test
    void aacInitSegmentHasMp4aWithTheAudioSpecificConfigInEsds() {
        byte[] init = CmafWriter.initSegment(aac());
        Box trak = only(BoxWalker.parse(init), "moov").child("trak");
        assertEquals("soun", fourCc(init, trak.path("mdia/hdlr").fullBoxBody() + 4));
        assertEquals(List.of("smhd", "dinf", "stbl"), trak.path("mdia/minf").childTypes());
        Box tkhd = trak.child("tkhd");
        assertEquals(0x0100, u16(init, tkhd.fullBoxBody() + 32), "audio volume 1.0");
        assertEquals(0, u32(init, tkhd.end() - 8), "no width for audio");
        Box mp4a = trak.path("mdia/minf/stbl/stsd/mp4a");
        assertEquals(2, u16(init, mp4a.payloadOffset() + 16), "channelcount");
        assertEquals(16, u16(init, mp4a.payloadOffset() + 18), "samplesize");
        assertEquals(48000L << 16, u32(init, mp4a.payloadOffset() + 24), "samplerate 16.16");
        assertEquals(List.of("esds"), mp4a.childTypes());
        assertArrayEquals(ASC_48K_STEREO, decoderSpecificInfo(init, mp4a.child("esds")));
    }

    @ParameterizedTest
    @MethodSource("ascs")
    void esdsCarriesEveryAudioSpecificConfigAsSent(AacVectors.Asc v) {
        byte[] init = CmafWriter.initSegment(new CmafTrack(1, Codec.AAC, v.sampleRate(), v.data()));
        Box mp4a = only(BoxWalker.parse(init), "moov").path("trak/mdia/minf/stbl/stsd/mp4a");
        assertArrayEquals(v.data(), decoderSpecificInfo(init, mp4a.child("esds")));
        assertEquals(v.channels(), u16(init, mp4a.payloadOffset() + 16));
    }

    @Test
    void esdsUsesMultiByteSizesForALongConfig() {
        // an AudioSpecificConfig with 200 trailing bytes (ignored by the parser) needs 2-byte descriptor sizes
        byte[] longAsc = Arrays.copyOf(ASC_48K_STEREO, 202);
        byte[] init = CmafWriter.initSegment(new CmafTrack(1, Codec.AAC, 48000, longAsc));
        Box mp4a = only(BoxWalker.parse(init), "moov").path("trak/mdia/minf/stbl/stsd/mp4a");
        assertArrayEquals(longAsc, decoderSpecificInfo(init, mp4a.child("esds")));
    }

    /**
     * Walks ES_Descriptor > DecoderConfigDescriptor > DecoderSpecificInfo (14496-1), checking each size against its parent,
     * and returns the DecoderSpecificInfo payload.
     */
    static byte[] decoderSpecificInfo(byte[] d, Box esds) {
        int[] p = {esds.fullBoxBody()};
        int esEnd = descriptor(d, p, 0x03);
        assertEquals(esds.end(), esEnd, "ES_Descriptor fills esds");
        p[0] += 3; // ES_ID, flags
        int decoderConfigEnd = descriptor(d, p, 0x04);
        assertEquals(0x40, d[p[0]] & 0xFF, "objectTypeIndication MPEG-4 Audio");
        assertEquals(0x15, d[p[0] + 1] & 0xFF, "streamType audio");
        p[0] += 13;
        int infoEnd = descriptor(d, p, 0x05);
        assertEquals(decoderConfigEnd, infoEnd, "DecoderSpecificInfo ends the DecoderConfigDescriptor");
        byte[] info = Arrays.copyOfRange(d, p[0], infoEnd);
        p[0] = infoEnd;
        int slEnd = descriptor(d, p, 0x06);
        assertEquals(2, d[p[0]] & 0xFF, "SLConfigDescriptor predefined 2");
        assertEquals(esEnd, slEnd, "SLConfigDescriptor ends the ES_Descriptor");
        return info;
    }

    /** Reads tag and expandable size at p[0], leaves p[0] at the payload, returns the payload end. */
    private static int descriptor(byte[] d, int[] p, int tag) {
        assertEquals(tag, d[p[0]++] & 0xFF, "descriptor tag");
        int size = 0;
        int b;
        do {
            b = d[p[0]++] & 0xFF;
            size = size << 7 | (b & 0x7F);
        } while ((b & 0x80) != 0);
        return p[0] + size;
    }

    static Stream<AacVectors.Asc> ascs() {
        return AacVectors.CONFIGS.stream();
    }

    // ---- media segment ----

    @Test
    void mediaSegmentIsStypMoofMdatWithTrunPointingAtThePayload() {
        byte[] idr = bytes("00000005 65888420ff", "00000003 06 0501");
        List<CmafSample> samples = List.of(
                new CmafSample(900_000, 3600, 7200, true, idr),
                new CmafSample(903_600, 3600, -3600, false, P_FRAME),
                new CmafSample(907_200, 3000, 0, false, P_FRAME));
        byte[] segment = CmafWriter.mediaSegment(avc(), 42, samples);
        List<Box> top = BoxWalker.parse(segment);
        assertEquals(List.of("styp", "moof", "mdat"), BoxWalker.types(top));
        Box styp = top.get(0);
        assertEquals("msdh", fourCc(segment, styp.payloadOffset()));
        assertEquals("cmfs", fourCc(segment, styp.end() - 4), "starts with a sync sample: a CMAF segment");

        Box moof = top.get(1);
        assertEquals(List.of("mfhd", "traf"), moof.childTypes());
        assertEquals(42, u32(segment, moof.child("mfhd").fullBoxBody()));
        Box traf = moof.child("traf");
        assertEquals(List.of("tfhd", "tfdt", "trun"), traf.childTypes());
        Box tfhd = traf.child("tfhd");
        assertEquals(0x020000, u32(segment, tfhd.offset() + 8), "tfhd v0, default-base-is-moof only");
        assertEquals(1, u32(segment, tfhd.fullBoxBody()), "track_ID");
        Box tfdt = traf.child("tfdt");
        assertEquals(1, segment[tfdt.offset() + 8], "tfdt version 1");
        assertEquals(900_000, u64(segment, tfdt.fullBoxBody()));

        Box trun = traf.child("trun");
        assertEquals(1, segment[trun.offset() + 8], "trun version 1 (signed composition offsets)");
        assertEquals(0x000F01, u32(segment, trun.offset() + 8) & 0xFFFFFF);
        assertEquals(3, u32(segment, trun.fullBoxBody()), "sample_count");
        Box mdat = top.get(2);
        int dataOffset = (int) u32(segment, trun.fullBoxBody() + 4);
        assertEquals(mdat.payloadOffset(), moof.offset() + dataOffset, "data_offset lands on the mdat payload");

        int entry = trun.fullBoxBody() + 8;
        int dataAt = moof.offset() + dataOffset;
        for (CmafSample s : samples) {
            assertEquals(s.duration(), u32(segment, entry));
            assertEquals(s.data().length, u32(segment, entry + 4));
            assertEquals(s.sync() ? 0x02000000 : 0x01010000, u32(segment, entry + 8));
            assertEquals(s.compositionOffset(), (int) u32(segment, entry + 12));
            assertArrayEquals(s.data(), Arrays.copyOfRange(segment, dataAt, dataAt + s.data().length));
            entry += 16;
            dataAt += s.data().length;
        }
        assertEquals(trun.end(), entry);
        assertEquals(mdat.end(), dataAt);
        assertEquals(segment.length, mdat.end());
    }

    @Test
    void segmentThatDoesNotStartWithASyncSampleIsACmafChunk() {
        byte[] segment = CmafWriter.mediaSegment(avc(), 1, List.of(new CmafSample(0, 3600, 0, false, P_FRAME)));
        Box styp = BoxWalker.parse(segment).get(0);
        assertEquals("cmfl", fourCc(segment, styp.end() - 4));
    }

    @Test
    void audioSegmentCarriesTheAccessUnitsInOrder() {
        List<CmafSample> samples = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            samples.add(new CmafSample(1024L * i, 1024, 0, true, new byte[] {0x21, (byte) i, 0x40}));
        }
        byte[] segment = CmafWriter.mediaSegment(aac(), 0xFFFF_FFFFL, samples);
        List<Box> top = BoxWalker.parse(segment);
        Box moof = only(top, "moof");
        assertEquals(0xFFFF_FFFFL, u32(segment, moof.child("mfhd").fullBoxBody()));
        assertEquals(2, u32(segment, moof.path("traf/tfhd").fullBoxBody()), "track_ID of the audio track");
        assertEquals(5, u32(segment, moof.path("traf/trun").fullBoxBody()));
        Box mdat = only(top, "mdat");
        assertArrayEquals(bytes("210040", "210140", "210240", "210340", "210440"),
                Arrays.copyOfRange(segment, mdat.payloadOffset(), mdat.end()));
    }

    @Test
    void tfdtHoldsDecodeTimesBeyond32Bits() {
        long late = 1L << 40;
        byte[] segment = CmafWriter.mediaSegment(aac(), 1, List.of(new CmafSample(late, 1024, 0, true, new byte[] {1})));
        Box tfdt = only(BoxWalker.parse(segment), "moof").path("traf/tfdt");
        assertEquals(late, u64(segment, tfdt.fullBoxBody()));
    }

    // ---- determinism ----

    @Test
    void sameInputGivesTheSameBytes() {
        for (CmafTrack track : List.of(avc(), aac(), new CmafTrack(1, Codec.H265, 90000, HEVC_64))) {
            CmafTrack copy = new CmafTrack(track.trackId(), track.codec(), track.timescale(), track.decoderConfig().clone());
            assertArrayEquals(CmafWriter.initSegment(track), CmafWriter.initSegment(copy));
        }
        List<CmafSample> samples = List.of(new CmafSample(0, 3600, 3600, true, bytes("00000002 6588")),
                new CmafSample(3600, 3600, -3600, false, P_FRAME));
        assertArrayEquals(CmafWriter.mediaSegment(avc(), 7, samples), CmafWriter.mediaSegment(avc(), 7, List.copyOf(samples)));
        assertFalse(Arrays.equals(CmafWriter.mediaSegment(avc(), 7, samples), CmafWriter.mediaSegment(avc(), 8, samples)));
    }

    // ---- the committed libx264 + AAC clip ----

    @Test
    void fixtureGivesTwoGopsAndTheExpectedTrackInfo() throws Exception {
        CmafFixture clip = CmafFixture.load();
        assertEquals(List.of(25, 25), clip.videoSegments().stream().map(List::size).toList());
        assertEquals("avc1.64000D", CmafWriter.codecs(clip.video()));
        assertEquals(320, CmafWriter.width(clip.video()));
        assertEquals(240, CmafWriter.height(clip.video()));
        assertEquals("mp4a.40.2", CmafWriter.codecs(clip.audio()));
        assertTrue(clip.videoSegments().get(0).stream().anyMatch(s -> s.compositionOffset() > 0), "B-frames reorder");
    }

    /**
     * The exact bytes, pinned: nodes (and nodes of different versions during an upgrade) must write identical segments,
     * so a change here is a format change to make on purpose, not a side effect. CmafFfmpegIT plays these bytes.
     */
    @Test
    void outputBytesArePinned() throws Exception {
        CmafFixture clip = CmafFixture.load();
        assertEquals("c63553b7d3a6afb89a41580e7ee87e29dbae3da20842f2b91958677dbccf0ea1",
                sha256(CmafFixture.trackFile(clip.video(), clip.videoSegments())));
        assertEquals("c1e21e3682feb9899760b16d3779216f1d2dda544854e73cdb39aa3e814fbbf7",
                sha256(CmafFixture.trackFile(clip.audio(), clip.audioSegments())));
    }

    private static String sha256(byte[] data) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    // ---- codecs, width, height ----

    @ParameterizedTest
    @MethodSource("avcConfigsWithSps")
    void h264CodecStringAndSize(AvcVectors.Config v) {
        CmafTrack track = new CmafTrack(1, Codec.H264, 90000, v.record());
        assertEquals(v.codecString(), CmafWriter.codecs(track));
        int expectedWidth = v.level() == 31 ? 1280 : 64;
        assertEquals(expectedWidth, CmafWriter.width(track));
        assertEquals(v.level() == 31 ? 720 : 64, CmafWriter.height(track));
    }

    static Stream<AvcVectors.Config> avcConfigsWithSps() {
        return AvcVectors.CONFIGS.stream().filter(c -> !c.name().contains("synthetic")); // it has 4-byte stub SPSs
    }

    @Test
    void h265CodecStringAndSize() {
        for (HevcVectors.Config v : HevcVectors.CONFIGS.subList(0, 2)) {
            CmafTrack track = new CmafTrack(1, Codec.H265, 90000, v.record());
            assertEquals(v.codecString(), CmafWriter.codecs(track));
            assertEquals(64, CmafWriter.width(track));
            assertEquals(64, CmafWriter.height(track));
        }
    }

    @ParameterizedTest
    @MethodSource("ascs")
    void aacCodecStringAndNoSize(AacVectors.Asc v) {
        CmafTrack track = new CmafTrack(2, Codec.AAC, 48000, v.data());
        assertEquals(v.codecString(), CmafWriter.codecs(track));
        assertEquals(0, CmafWriter.width(track));
        assertEquals(0, CmafWriter.height(track));
    }

    // ---- CmafTrack ----

    @Test
    void trackCopiesItsConfigAndComparesByContent() {
        byte[] config = AVC_720P.clone();
        CmafTrack track = new CmafTrack(1, Codec.H264, 90000, config);
        config[1] = 0;
        track.decoderConfig()[1] = 0;
        assertArrayEquals(AVC_720P, track.decoderConfig());
        assertEquals(avc(), track);
        assertEquals(avc().hashCode(), track.hashCode());
        assertNotEquals(avc(), new CmafTrack(2, Codec.H264, 90000, AVC_720P));
        assertTrue(track.toString().contains("H264"));
    }

    static Stream<byte[]> badAvcConfigs() {
        return Stream.concat(AvcVectors.BAD_CONFIGS.stream(), Stream.of(
                AvcVectors.CONFIGS.get(3).record(), // SPS too short to hold a picture size
                bytes("01 4d 40 1f ff e1 0019 674d401feca02802dd8088000003000800000301e078c18cb0 00"), // no PPS
                bytes("01 4d 40 1f ff e0 01 0005 68ebe3cb20"))); // no SPS
    }

    @ParameterizedTest
    @MethodSource("badAvcConfigs")
    void badH264ConfigIsRejected(byte[] config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CmafTrack(1, Codec.H264, 90000, config));
        assertTrue(e.getMessage().startsWith("bad H264 decoder configuration: "), e.getMessage());
        assertInstanceOf(BitstreamException.class, e.getCause());
    }

    static Stream<byte[]> badHevcConfigs() {
        return Stream.concat(HevcVectors.BAD_CONFIGS.stream(), Stream.of(HevcVectors.CONFIGS.get(2).record())); // no SPS
    }

    @ParameterizedTest
    @MethodSource("badHevcConfigs")
    void badH265ConfigIsRejected(byte[] config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CmafTrack(1, Codec.H265, 90000, config));
        assertInstanceOf(BitstreamException.class, e.getCause());
    }

    static Stream<byte[]> badAscs() {
        return AacVectors.BAD.stream();
    }

    @ParameterizedTest
    @MethodSource("badAscs")
    void badAudioSpecificConfigIsRejected(byte[] config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CmafTrack(1, Codec.AAC, 48000, config));
        assertInstanceOf(BitstreamException.class, e.getCause());
    }

    @Test
    void badTrackFieldsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new CmafTrack(0, Codec.H264, 90000, AVC_720P));
        assertThrows(IllegalArgumentException.class, () -> new CmafTrack(1, Codec.H264, 0, AVC_720P));
        assertThrows(IllegalArgumentException.class, () -> new CmafTrack(1, Codec.AMF0_METADATA, 1000, AVC_720P));
        assertThrows(IllegalArgumentException.class, () -> new CmafTrack(1, null, 1000, AVC_720P));
        assertThrows(IllegalArgumentException.class, () -> new CmafTrack(1, Codec.H264, 90000, null));
        byte[] huge = Arrays.copyOf(ASC_48K_STEREO, CmafTrack.MAX_DECODER_CONFIG_LENGTH + 1);
        assertThrows(IllegalArgumentException.class, () -> new CmafTrack(1, Codec.AAC, 48000, huge));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.initSegment((CmafTrack) null));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.codecs(null));
    }

    // ---- sample and segment limits ----

    @Test
    void badSamplesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new CmafSample(0, 1024, 0, true, null));
        assertThrows(IllegalArgumentException.class, () -> new CmafSample(0, 1024, 0, true, new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new CmafSample(0, 1024, 0, true, new byte[CmafSample.MAX_DATA_LENGTH + 1]));
        assertThrows(IllegalArgumentException.class, () -> new CmafSample(-1, 1024, 0, true, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new CmafSample(0, -1, 0, true, new byte[1]));
        new CmafSample(0, 0, Integer.MIN_VALUE, false, new byte[CmafSample.MAX_DATA_LENGTH]); // the limits themselves pass
    }

    @Test
    void badSegmentsAreRejected() {
        CmafSample one = new CmafSample(0, 1024, 0, true, new byte[] {1});
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.mediaSegment(aac(), 1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.mediaSegment(aac(), 1, null));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.mediaSegment(aac(), 1, Arrays.asList(one, null)));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.mediaSegment(null, 1, List.of(one)));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.mediaSegment(aac(), -1, List.of(one)));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.mediaSegment(aac(), 1L << 32, List.of(one)));
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> CmafWriter.mediaSegment(aac(), 1,
                List.of(one, new CmafSample(2048, 1024, 0, true, new byte[] {1}))));
        assertTrue(gap.getMessage().contains("decodeTime 2048"), gap.getMessage());
    }

    @Test
    void sampleCountIsBounded() {
        CmafSample instant = new CmafSample(0, 0, 0, true, new byte[] {1}); // duration 0: every copy starts at 0
        byte[] largest = CmafWriter.mediaSegment(aac(), 1, Collections.nCopies(CmafWriter.MAX_SAMPLES_PER_SEGMENT, instant));
        Box trun = only(BoxWalker.parse(largest), "moof").path("traf/trun");
        assertEquals(CmafWriter.MAX_SAMPLES_PER_SEGMENT, u32(largest, trun.fullBoxBody()));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.mediaSegment(aac(), 1,
                Collections.nCopies(CmafWriter.MAX_SAMPLES_PER_SEGMENT + 1, instant)));
    }

    @Test
    void segmentPayloadIsBounded() {
        CmafSample big = new CmafSample(0, 0, 0, true, new byte[CmafSample.MAX_DATA_LENGTH]);
        int tooMany = CmafWriter.MAX_SEGMENT_PAYLOAD / CmafSample.MAX_DATA_LENGTH + 1;
        assertThrows(IllegalArgumentException.class,
                () -> CmafWriter.mediaSegment(aac(), 1, Collections.nCopies(tooMany, big)));
    }

    static Stream<byte[]> badVideoSamples() {
        return Stream.of(
                bytes("00000010", "6588"), // NAL length beyond the sample
                bytes("000f", "6588"), // a 2-byte prefix: the publisher's framing was not converted
                bytes("00000000 00000002 6588"), // zero-length NAL
                bytes("00000002 6588 00"), // trailing byte
                AvcVectors.many(300)); // read as 4-byte lengths this is garbage; see below for the count limit
    }

    @ParameterizedTest
    @MethodSource("badVideoSamples")
    void videoSampleMustBeFourByteLengthPrefixedNalUnits(byte[] data) {
        List<CmafSample> samples = List.of(new CmafSample(0, 3600, 0, true, data));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.mediaSegment(avc(), 1, samples));
    }

    @Test
    void videoSampleNalCountIsBounded() {
        byte[] nals = new byte[257 * 5];
        for (int i = 0; i < 257; i++) {
            nals[5 * i + 3] = 1; // length 1
            nals[5 * i + 4] = 0x0C; // filler NAL
        }
        List<CmafSample> ok = List.of(new CmafSample(0, 3600, 0, true, Arrays.copyOf(nals, 256 * 5)));
        CmafWriter.mediaSegment(avc(), 1, ok);
        List<CmafSample> tooMany = List.of(new CmafSample(0, 3600, 0, true, nals));
        assertThrows(IllegalArgumentException.class, () -> CmafWriter.mediaSegment(avc(), 1, tooMany));
    }
}
