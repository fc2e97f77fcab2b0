package io.cascade.protocol.mp4;

import io.cascade.media.TrackType;
import io.cascade.protocol.h264.NalUnits;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes CMAF / fragmented MP4 (ISO/IEC 14496-12, ISO/IEC 23000-19) for HLS (EXT-X-MAP + fMP4 segments) and DASH: one
 * track per file, an init segment per track and media segments of one movie fragment each.
 *
 * <p>Output depends only on the arguments: no wall clock (creation times are 0), no randomness, no hash-ordered
 * iteration. Several nodes packaging the same samples therefore produce the same bytes, and a player may fetch segment n
 * from one node and n+1 from another.
 */
public final class CmafWriter {
    /** Most samples in one media segment: 100,000 is over an hour of 25 fps video; trun costs 16 bytes a sample. */
    public static final int MAX_SAMPLES_PER_SEGMENT = 100_000;
    /** Largest mdat payload: over 10 s at 400 Mbit/s. Keeps segment arithmetic far from the 2 GiB array limit. */
    public static final int MAX_SEGMENT_PAYLOAD = 512 * 1024 * 1024;

    /** ftyp brands: 'iso6' (the ISOBMFF edition CMAF builds on), 'cmfc' CMAF track file, DASH, MP4 version 1. */
    private static final String MAJOR_BRAND = "iso6";
    private static final String[] COMPATIBLE_BRANDS = {"iso6", "cmfc", "dash", "mp41"};
    /** styp major brand: DASH media segment. */
    private static final String SEGMENT_BRAND = "msdh";
    /** CMAF segment: it starts with a sync sample (ISO/IEC 23000-19 7.3.3). */
    private static final String CMAF_SEGMENT_BRAND = "cmfs";
    /** CMAF chunk: a part of a segment that need not start with a sync sample (low-latency parts). */
    private static final String CMAF_CHUNK_BRAND = "cmfl";

    /** tkhd flags: track_enabled | track_in_movie. */
    private static final int TRACK_ENABLED_IN_MOVIE = 0x000003;
    /** tfhd flags: default-base-is-moof, so trun data_offset counts from this moof (required by CMAF). */
    private static final int TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
    /** trun flags: data-offset, sample-duration, sample-size, sample-flags and sample-composition-time-offset present. */
    private static final int TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;
    /** trun version 1: signed composition offsets, so B-frames can present from the decode time without an edit list. */
    private static final int TRUN_VERSION_SIGNED_OFFSETS = 1;
    /** sample_flags (14496-12 8.8.3.1): sample_depends_on 2 (depends on no other sample), is_non_sync 0. */
    private static final int SYNC_SAMPLE_FLAGS = 0x02000000;
    /** sample_depends_on 1 (depends on others), sample_is_non_sync_sample 1. */
    private static final int NON_SYNC_SAMPLE_FLAGS = 0x01010000;
    /** Unity transformation matrix of mvhd and tkhd (16.16 and 2.30 fixed point). */
    private static final int[] UNITY_MATRIX = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};
    /** ISO 639-2 "und" packed as three 5-bit letters (each minus 0x60). */
    private static final int LANGUAGE_UNDETERMINED = ('u' - 0x60) << 10 | ('n' - 0x60) << 5 | ('d' - 0x60);

    private static final int BOX_HEADER = 8;
    private static final int FULL_BOX_HEADER = 12;
    private static final int TRUN_BYTES_PER_SAMPLE = 16;

    private CmafWriter() {
    }

    /** ftyp + moov with one track, empty sample tables and mvex/trex: the CMAF header (EXT-X-MAP / DASH init). */
    public static byte[] initSegment(CmafTrack track) {
        checkTrack(track);
        return initSegment(List.of(track));
    }

    /**
     * ftyp + moov with every given track (distinct track_IDs, in the order given) and a trex for each: the header of
     * one fragmented MP4 byte stream that carries them all, as Media Source Extensions take it in one SourceBuffer.
     * The movie timescale is the first track's, so a one-track list gives exactly {@link #initSegment(CmafTrack)}.
     */
    public static byte[] initSegment(List<CmafTrack> tracks) {
        if (tracks == null || tracks.isEmpty()) {
            throw new IllegalArgumentException("an init segment needs at least one track");
        }
        int configBytes = 0;
        int maxTrackId = 0;
        Set<Integer> ids = new HashSet<>();
        for (CmafTrack t : tracks) {
            checkTrack(t);
            if (!ids.add(t.trackId())) {
                throw new IllegalArgumentException("two tracks with track_ID " + t.trackId());
            }
            configBytes += t.decoderConfigUnsafe().length;
            maxTrackId = Math.max(maxTrackId, t.trackId());
        }
        BoxWriter w = new BoxWriter(1024 * tracks.size() + configBytes);
        int ftyp = w.startBox("ftyp");
        w.fourCc(MAJOR_BRAND).u32(0); // minor_version
        for (String brand : COMPATIBLE_BRANDS) {
            w.fourCc(brand);
        }
        w.endBox(ftyp);

        int moov = w.startBox("moov");
        writeMvhd(w, tracks.get(0).timescale(), 0, maxTrackId + 1L);
        for (CmafTrack track : tracks) {
            TrackFormat format = track.format();
            int trak = w.startBox("trak");
            writeTkhd(w, track, format, 0);
            int mdia = w.startBox("mdia");
            writeMdhd(w, track, 0);
            writeHdlr(w, format);
            int minf = w.startBox("minf");
            writeMediaHeader(w, format);
            writeDinf(w);
            writeStbl(w, format);
            w.endBox(minf);
            w.endBox(mdia);
            w.endBox(trak);
        }
        int mvex = w.startBox("mvex");
        for (CmafTrack track : tracks) {
            int trex = w.startFullBox("trex", 0, 0);
            // defaults stay 0: every trun states each sample's duration, size and flags
            w.u32(track.trackId()).u32(1).u32(0).u32(0).u32(0);
            w.endBox(trex);
        }
        w.endBox(mvex);
        w.endBox(moov);
        return w.toByteArray();
    }

    /**
     * styp + one movie fragment (moof with mfhd and one traf: tfhd, tfdt, trun) + mdat holding the samples in order.
     *
     * @param sequenceNumber mfhd sequence_number, an unsigned 32-bit value that should increase from segment to segment
     */
    public static byte[] mediaSegment(CmafTrack track, long sequenceNumber, List<CmafSample> samples) {
        return movieFragment(track, sequenceNumber, samples, true);
    }

    /**
     * One movie fragment without a styp: moof (mfhd, one traf: tfhd, tfdt, trun) + mdat. What a live fMP4 byte stream
     * after {@link #initSegment(List)} is made of, a fragment per frame or per few frames; the tfdt places each one, so
     * fragments of the init segment's tracks may follow one another in any order of tracks.
     *
     * @param sequenceNumber mfhd sequence_number, an unsigned 32-bit value
     */
    public static byte[] fragment(CmafTrack track, long sequenceNumber, List<CmafSample> samples) {
        return movieFragment(track, sequenceNumber, samples, false);
    }

    private static byte[] movieFragment(CmafTrack track, long sequenceNumber, List<CmafSample> samples,
                                        boolean withStyp) {
        checkTrack(track);
        if (sequenceNumber < 0 || sequenceNumber > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("sequence number outside 0..2^32-1: " + sequenceNumber);
        }
        long payload = checkSamples(track, samples);
        int count = samples.size();
        // sizes up front: data_offset must be known before the samples are written, and the array is allocated once
        int stypSize = withStyp ? BOX_HEADER + 4 + 4 + 2 * 4 : 0; // major brand, minor version, two compatible brands
        int trunSize = FULL_BOX_HEADER + 4 + 4 + TRUN_BYTES_PER_SAMPLE * count; // sample_count, data_offset, entries
        int tfdtSize = FULL_BOX_HEADER + 8; // 64-bit baseMediaDecodeTime
        int tfhdSize = FULL_BOX_HEADER + 4; // track_ID
        int trafSize = BOX_HEADER + tfhdSize + tfdtSize + trunSize;
        int mfhdSize = FULL_BOX_HEADER + 4; // sequence_number
        int moofSize = BOX_HEADER + mfhdSize + trafSize;
        // both terms are bounded (100,000 samples, 512 MiB): the sum fits an int
        int total = stypSize + moofSize + BOX_HEADER + (int) payload;

        BoxWriter w = new BoxWriter(total);
        if (withStyp) {
            int styp = w.startBox("styp");
            w.fourCc(SEGMENT_BRAND).u32(0).fourCc(SEGMENT_BRAND);
            w.fourCc(samples.get(0).sync() ? CMAF_SEGMENT_BRAND : CMAF_CHUNK_BRAND);
            w.endBox(styp);
        }

        int moof = w.startBox("moof");
        int mfhd = w.startFullBox("mfhd", 0, 0);
        w.u32(sequenceNumber);
        w.endBox(mfhd);
        int traf = w.startBox("traf");
        int tfhd = w.startFullBox("tfhd", 0, TFHD_DEFAULT_BASE_IS_MOOF);
        w.u32(track.trackId());
        w.endBox(tfhd);
        int tfdt = w.startFullBox("tfdt", 1, 0); // version 1: 64-bit time, a 90 kHz clock passes 2^32 after 13 hours
        w.u64(samples.get(0).decodeTime());
        w.endBox(tfdt);
        int trun = w.startFullBox("trun", TRUN_VERSION_SIGNED_OFFSETS, TRUN_FLAGS);
        w.u32(count);
        w.u32(moofSize + BOX_HEADER); // data_offset: from the start of moof to the first byte of mdat's payload
        for (CmafSample s : samples) {
            w.u32(s.duration()).u32(s.data().length).u32(s.sync() ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS);
            w.u32(s.compositionOffset());
        }
        w.endBox(trun);
        w.endBox(traf);
        w.endBox(moof);

        int mdat = w.startBox("mdat");
        for (CmafSample s : samples) {
            w.bytes(s.data());
        }
        w.endBox(mdat);
        if (w.position() != total) {
            throw new IllegalStateException("media segment size " + w.position() + " != computed " + total);
        }
        return w.toByteArray();
    }

    /** RFC 6381 codecs parameter for HLS CODECS / DASH @codecs: avc1.PPCCLL, hvc1.P.C.TL.CC, mp4a.40.N. */
    public static String codecs(CmafTrack track) {
        checkTrack(track);
        return track.format().codecs();
    }

    /** Decoded picture width (SPS, cropping applied), 0 for audio. */
    public static int width(CmafTrack track) {
        checkTrack(track);
        return track.format().width();
    }

    /** Decoded picture height (SPS, cropping applied), 0 for audio. */
    public static int height(CmafTrack track) {
        checkTrack(track);
        return track.format().height();
    }

    private static void checkTrack(CmafTrack track) {
        if (track == null) {
            throw new IllegalArgumentException("no track");
        }
    }

    /**
     * Checks count, sizes, decode-time continuity and (for video) the NAL length framing; returns the mdat payload size.
     */
    private static long checkSamples(CmafTrack track, List<CmafSample> samples) {
        if (samples == null || samples.isEmpty()) {
            throw new IllegalArgumentException("a media segment needs at least one sample");
        }
        if (samples.size() > MAX_SAMPLES_PER_SEGMENT) {
            throw new IllegalArgumentException(samples.size() + " samples exceed " + MAX_SAMPLES_PER_SEGMENT);
        }
        boolean video = track.codec().trackType() == TrackType.VIDEO;
        long payload = 0;
        CmafSample previous = null;
        for (int i = 0; i < samples.size(); i++) {
            CmafSample s = samples.get(i);
            if (s == null) {
                throw new IllegalArgumentException("sample " + i + " is null");
            }
            // fMP4 stores only the first decode time; the others follow from durations, so a gap or overlap would be lost
            if (previous != null && s.decodeTime() - previous.decodeTime() != previous.duration()) {
                throw new IllegalArgumentException("sample " + i + " decodeTime " + s.decodeTime() + " != previous "
                        + previous.decodeTime() + " + duration " + previous.duration());
            }
            if (video) {
                checkNalFraming(s.data(), i);
            }
            payload += s.data().length;
            if (payload > MAX_SEGMENT_PAYLOAD) {
                throw new IllegalArgumentException("media segment payload exceeds " + MAX_SEGMENT_PAYLOAD + " bytes");
            }
            previous = s;
        }
        return payload;
    }

    /** A video sample must be whole 4-byte-length-prefixed NAL units, as the avcC/hvcC written promises to decoders. */
    static void checkNalFraming(byte[] data, int index) {
        int[] endAndCount = new int[2];
        NalUnits.visit(data, (offset, length) -> {
            endAndCount[0] = offset + length;
            endAndCount[1]++;
        });
        if (endAndCount[0] != data.length) {
            throw new IllegalArgumentException("sample " + index + " is not 4-byte-length-prefixed NAL units (framing ends at "
                    + endAndCount[0] + " of " + data.length + " bytes)");
        }
        if (endAndCount[1] > NalUnits.MAX_NAL_UNITS_PER_ACCESS_UNIT) {
            throw new IllegalArgumentException("sample " + index + " has " + endAndCount[1] + " NAL units, more than "
                    + NalUnits.MAX_NAL_UNITS_PER_ACCESS_UNIT);
        }
    }

    /**
     * mvhd; version 1 (64-bit times) only when the duration needs it, so a fragmented header (duration 0) stays the
     * version 0 box it always was.
     */
    static void writeMvhd(BoxWriter w, int timescale, long duration, long nextTrackId) {
        boolean wide = duration > 0xFFFF_FFFFL;
        int mvhd = w.startFullBox("mvhd", wide ? 1 : 0, 0);
        times(w, wide, 0); // creation_time, modification_time: 0, never the wall clock
        w.u32(timescale);
        if (wide) {
            w.u64(duration);
        } else {
            w.u32(duration); // 0 in a fragmented stream: its duration is not known
        }
        w.u32(0x00010000).u16(0x0100).zeros(2 + 8); // rate 1.0, volume 1.0, reserved
        writeMatrix(w);
        w.zeros(24); // pre_defined
        w.u32(nextTrackId); // next_track_ID
        w.endBox(mvhd);
    }

    /** @param duration in the movie timescale (0 when not known) */
    static void writeTkhd(BoxWriter w, CmafTrack track, TrackFormat format, long duration) {
        boolean wide = duration > 0xFFFF_FFFFL;
        int tkhd = w.startFullBox("tkhd", wide ? 1 : 0, TRACK_ENABLED_IN_MOVIE);
        times(w, wide, 0); // creation_time, modification_time
        w.u32(track.trackId()).u32(0); // track_ID, reserved
        if (wide) {
            w.u64(duration);
        } else {
            w.u32(duration);
        }
        w.zeros(8); // reserved
        w.u16(0).u16(0); // layer, alternate_group
        w.u16(format.width() == 0 ? 0x0100 : 0).u16(0); // volume: 1.0 for audio, 0 for video; reserved
        writeMatrix(w);
        w.u32((long) format.width() << 16).u32((long) format.height() << 16); // 16.16 fixed point
        w.endBox(tkhd);
    }

    /** @param duration in the track's timescale (0 when not known) */
    static void writeMdhd(BoxWriter w, CmafTrack track, long duration) {
        boolean wide = duration > 0xFFFF_FFFFL;
        int mdhd = w.startFullBox("mdhd", wide ? 1 : 0, 0);
        times(w, wide, 0);
        w.u32(track.timescale());
        if (wide) {
            w.u64(duration);
        } else {
            w.u32(duration);
        }
        w.u16(LANGUAGE_UNDETERMINED).u16(0); // language, pre_defined
        w.endBox(mdhd);
    }

    /** creation_time and modification_time, 32 or 64 bits each. */
    private static void times(BoxWriter w, boolean wide, long value) {
        for (int i = 0; i < 2; i++) {
            if (wide) {
                w.u64(value);
            } else {
                w.u32(value);
            }
        }
    }

    static void writeHdlr(BoxWriter w, TrackFormat format) {
        int hdlr = w.startFullBox("hdlr", 0, 0);
        w.u32(0).fourCc(format.handlerType()).zeros(12); // pre_defined, handler_type, reserved
        String name = format.handlerType().equals("vide") ? "VideoHandler" : "SoundHandler";
        for (int i = 0; i < name.length(); i++) {
            w.u8(name.charAt(i));
        }
        w.u8(0); // name is a null-terminated UTF-8 string
        w.endBox(hdlr);
    }

    /** vmhd (flags 1 as the spec requires) for video, smhd for audio. */
    static void writeMediaHeader(BoxWriter w, TrackFormat format) {
        if (format.handlerType().equals("vide")) {
            int vmhd = w.startFullBox("vmhd", 0, 1);
            w.u16(0).zeros(6); // graphicsmode copy, opcolor
            w.endBox(vmhd);
        } else {
            int smhd = w.startFullBox("smhd", 0, 0);
            w.u16(0).u16(0); // balance centre, reserved
            w.endBox(smhd);
        }
    }

    /** One 'url ' entry with flag 1: the media is in the same file (here: the media segments). */
    static void writeDinf(BoxWriter w) {
        int dinf = w.startBox("dinf");
        int dref = w.startFullBox("dref", 0, 0);
        w.u32(1);
        int url = w.startFullBox("url ", 0, 1);
        w.endBox(url);
        w.endBox(dref);
        w.endBox(dinf);
    }

    /** The sample description, and sample tables left empty: the samples are described by each moof. */
    private static void writeStbl(BoxWriter w, TrackFormat format) {
        int stbl = w.startBox("stbl");
        writeStsd(w, format);
        for (String table : new String[] {"stts", "stsc"}) {
            int box = w.startFullBox(table, 0, 0);
            w.u32(0); // entry_count
            w.endBox(box);
        }
        int stsz = w.startFullBox("stsz", 0, 0);
        w.u32(0).u32(0); // sample_size, sample_count
        w.endBox(stsz);
        int stco = w.startFullBox("stco", 0, 0);
        w.u32(0);
        w.endBox(stco);
        w.endBox(stbl);
    }

    /** The one sample description of a track. */
    static void writeStsd(BoxWriter w, TrackFormat format) {
        int stsd = w.startFullBox("stsd", 0, 0);
        w.u32(1); // entry_count
        format.writeSampleEntry(w);
        w.endBox(stsd);
    }

    private static void writeMatrix(BoxWriter w) {
        for (int m : UNITY_MATRIX) {
            w.u32(m);
        }
    }
}
