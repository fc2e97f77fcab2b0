package io.cascade.protocol.mp4;

/**
 * Indexes the samples of one movie fragment (ISO/IEC 14496-12 8.8: moof with a traf per track, each a tfhd, an
 * optional tfdt and truns) of a track the reader plays. Values a trun leaves out come from the tfhd, then from the
 * track's trex; a fragment without tfdt continues where the track's previous samples ended.
 *
 * <p>Track fragments of tracks that are not played are skipped, so a later traf that relies on the implicit base
 * (the end of the previous traf's data, no base-data-offset and no default-base-is-moof) after one of them is not
 * supported; writers of fragmented recordings (ffmpeg, CMAF packagers) set default-base-is-moof.
 */
final class Mp4Fragments {
    private static final int TRAF = Mp4Box.type("traf");
    private static final int TFHD = Mp4Box.type("tfhd");
    private static final int TFDT = Mp4Box.type("tfdt");
    private static final int TRUN = Mp4Box.type("trun");

    private static final int TFHD_BASE_DATA_OFFSET = 0x1;
    private static final int TFHD_SAMPLE_DESCRIPTION_INDEX = 0x2;
    private static final int TFHD_DEFAULT_DURATION = 0x8;
    private static final int TFHD_DEFAULT_SIZE = 0x10;
    private static final int TFHD_DEFAULT_FLAGS = 0x20;
    private static final int TFHD_DEFAULT_BASE_IS_MOOF = 0x20000;

    private static final int TRUN_DATA_OFFSET = 0x1;
    private static final int TRUN_FIRST_SAMPLE_FLAGS = 0x4;
    private static final int TRUN_DURATION = 0x100;
    private static final int TRUN_SIZE = 0x200;
    private static final int TRUN_FLAGS = 0x400;
    private static final int TRUN_COMPOSITION_OFFSET = 0x800;
    /** sample_is_non_sync_sample in the sample flags (14496-12 8.8.3.1). */
    private static final int SAMPLE_IS_NON_SYNC = 0x10000;

    private Mp4Fragments() {
    }

    /**
     * Adds the fragment's samples of {@code video} and {@code audio} (either may be null) and returns true; or, when
     * any of them lies past {@code fileSize} (a recording cut inside this fragment), adds none and returns false.
     */
    static boolean index(Mp4Box moof, long moofOffset, Mp4Track video, Mp4Track audio, long fileSize)
            throws Mp4Exception {
        Mp4Track[] tracks = {video, audio};
        int[] sizesBefore = new int[2];
        long[] endsBefore = new long[2];
        for (int t = 0; t < 2; t++) {
            if (tracks[t] != null) {
                sizesBefore[t] = tracks[t].samples.size();
                endsBefore[t] = tracks[t].endTime;
            }
        }
        boolean[] whole = {true};
        long[] previousDataEnd = {moofOffset};
        moof.children(traf -> {
            if (traf.type() == TRAF && whole[0]) {
                whole[0] = trackFragment(traf, moofOffset, previousDataEnd, tracks, fileSize);
            }
        });
        if (!whole[0]) {
            for (int t = 0; t < 2; t++) {
                if (tracks[t] != null) {
                    tracks[t].dropFrom(sizesBefore[t], endsBefore[t]);
                }
            }
        }
        return whole[0];
    }

    private static boolean trackFragment(Mp4Box traf, long moofOffset, long[] previousDataEnd, Mp4Track[] tracks,
                                         long fileSize) throws Mp4Exception {
        Mp4Box.Cursor tfhd = traf.required(TFHD).cursor();
        int flags = (int) tfhd.u32() & 0xFFFFFF;
        long trackId = tfhd.u32();
        Mp4Track track = tracks[0] != null && tracks[0].trackId == trackId ? tracks[0]
                : tracks[1] != null && tracks[1].trackId == trackId ? tracks[1] : null;
        if (track == null) {
            return true;
        }
        long base = (flags & TFHD_BASE_DATA_OFFSET) != 0 ? tfhd.u64()
                : (flags & TFHD_DEFAULT_BASE_IS_MOOF) != 0 ? moofOffset : previousDataEnd[0];
        if ((flags & TFHD_SAMPLE_DESCRIPTION_INDEX) != 0) {
            tfhd.skip(4);
        }
        Defaults d = new Defaults(
                (flags & TFHD_DEFAULT_DURATION) != 0 ? tfhd.u32() : track.defaultDuration,
                (flags & TFHD_DEFAULT_SIZE) != 0 ? tfhd.u32() : track.defaultSize,
                (flags & TFHD_DEFAULT_FLAGS) != 0 ? (int) tfhd.u32() : track.defaultFlags);
        Mp4Box tfdt = traf.child(TFDT);
        if (tfdt != null) {
            Mp4Box.Cursor c = tfdt.cursor();
            int version = c.u8();
            c.skip(3);
            track.endTime = c.uVersioned(version);
        }
        long[] dataEnd = {base};
        boolean[] whole = {true};
        traf.children(trun -> {
            if (trun.type() == TRUN && whole[0]) {
                whole[0] = run(trun, base, dataEnd, d, track, fileSize);
            }
        });
        previousDataEnd[0] = dataEnd[0];
        return whole[0];
    }

    private record Defaults(long duration, long size, int flags) {
    }

    /** One trun: its samples follow one another from its data_offset (or where the previous trun's data ended). */
    private static boolean run(Mp4Box trun, long base, long[] dataEnd, Defaults d, Mp4Track track, long fileSize)
            throws Mp4Exception {
        Mp4Box.Cursor c = trun.cursor();
        c.skip(1); // version: it only says whether composition offsets are signed, and they are read as signed
        int flags = c.u24();
        int fieldsLength = 4 * Integer.bitCount(flags & (TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS
                | TRUN_COMPOSITION_OFFSET));
        long count = c.u32();
        long position = (flags & TRUN_DATA_OFFSET) != 0 ? base + c.s32() : dataEnd[0];
        int firstFlags = (flags & TRUN_FIRST_SAMPLE_FLAGS) != 0 ? (int) c.u32() : d.flags();
        if (count * fieldsLength > c.remaining()) {
            throw new Mp4Exception("trun lists " + count + " samples in " + c.remaining() + " bytes");
        }
        for (long i = 0; i < count; i++) {
            long duration = (flags & TRUN_DURATION) != 0 ? c.u32() : d.duration();
            long size = (flags & TRUN_SIZE) != 0 ? c.u32() : d.size();
            int sampleFlags = (flags & TRUN_FLAGS) != 0 ? (int) c.u32() : i == 0 ? firstFlags : d.flags();
            // version 0 is unsigned in the spec; read as signed in both, as ctts is
            int compositionOffset = (flags & TRUN_COMPOSITION_OFFSET) != 0 ? c.s32() : 0;
            if (position < 0 || size > fileSize || position > fileSize - size) {
                dataEnd[0] = position;
                return false;
            }
            track.add(track.endTime, duration, compositionOffset, (sampleFlags & SAMPLE_IS_NON_SYNC) == 0,
                    position, size);
            position += size;
        }
        dataEnd[0] = position;
        return true;
    }
}
