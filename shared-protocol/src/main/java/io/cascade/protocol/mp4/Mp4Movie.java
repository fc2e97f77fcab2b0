package io.cascade.protocol.mp4;

import io.cascade.media.TrackType;

/**
 * The moov of a file: which of its traks are played (the first video trak of a supported codec, the first audio
 * one), with the samples their sample tables list and the fragment defaults of mvex/trex.
 */
record Mp4Movie(Mp4Track video, Mp4Track audio) {
    private static final int TRAK = Mp4Box.type("trak");
    private static final int TKHD = Mp4Box.type("tkhd");
    private static final int MDIA = Mp4Box.type("mdia");
    private static final int MDHD = Mp4Box.type("mdhd");
    private static final int HDLR = Mp4Box.type("hdlr");
    private static final int MINF = Mp4Box.type("minf");
    private static final int STBL = Mp4Box.type("stbl");
    private static final int STSD = Mp4Box.type("stsd");
    private static final int MVEX = Mp4Box.type("mvex");
    private static final int TREX = Mp4Box.type("trex");
    private static final int VIDE = Mp4Box.type("vide");
    private static final int SOUN = Mp4Box.type("soun");

    static Mp4Movie parse(Mp4Box moov, Mp4Track.Budget budget, long fileSize) throws Mp4Exception {
        Mp4Track[] chosen = new Mp4Track[2];
        Mp4Box[] tables = new Mp4Box[2];
        moov.children(trak -> {
            if (trak.type() == TRAK) {
                choose(trak, chosen, tables, budget);
            }
        });
        if (chosen[0] == null && chosen[1] == null) {
            throw new Mp4Exception("no H.264, H.265 or AAC track (only those are played)");
        }
        for (int t = 0; t < 2; t++) {
            if (chosen[t] != null) {
                Mp4SampleTables.index(tables[t], chosen[t], fileSize);
            }
        }
        Mp4Box mvex = moov.child(MVEX);
        if (mvex != null) {
            mvex.children(trex -> {
                if (trex.type() == TREX) {
                    applyTrex(trex, chosen);
                }
            });
        }
        return new Mp4Movie(chosen[0], chosen[1]);
    }

    /** Takes the trak when it is the first of its kind with a codec we play. */
    private static void choose(Mp4Box trak, Mp4Track[] chosen, Mp4Box[] tables, Mp4Track.Budget budget)
            throws Mp4Exception {
        Mp4Box mdia = trak.required(MDIA);
        Mp4Box hdlr = mdia.required(HDLR);
        int handler = (int) hdlr.cursor().skip(8).u32(); // version, flags, pre_defined
        int t = handler == VIDE ? 0 : handler == SOUN ? 1 : -1;
        if (t < 0 || chosen[t] != null) {
            return;
        }
        Mp4Box stbl = mdia.required(MINF).required(STBL);
        Mp4SampleEntry entry = Mp4SampleEntry.parse(stbl.required(STSD));
        TrackType wanted = t == 0 ? TrackType.VIDEO : TrackType.AUDIO;
        if (entry == null || entry.codec().trackType() != wanted) {
            return;
        }
        chosen[t] = new Mp4Track(trackId(trak.required(TKHD)), t, timescale(mdia.required(MDHD)), entry, budget);
        tables[t] = stbl;
    }

    private static int trackId(Mp4Box tkhd) throws Mp4Exception {
        Mp4Box.Cursor c = tkhd.cursor();
        int version = c.u8();
        c.skip(3 + (version == 1 ? 16 : 8)); // flags, creation_time, modification_time
        return (int) c.u32();
    }

    private static int timescale(Mp4Box mdhd) throws Mp4Exception {
        Mp4Box.Cursor c = mdhd.cursor();
        int version = c.u8();
        c.skip(3 + (version == 1 ? 16 : 8)); // flags, creation_time, modification_time
        long timescale = c.u32();
        if (timescale < 1 || timescale > Integer.MAX_VALUE) {
            throw new Mp4Exception("mdhd timescale " + timescale);
        }
        return (int) timescale;
    }

    private static void applyTrex(Mp4Box trex, Mp4Track[] chosen) throws Mp4Exception {
        Mp4Box.Cursor c = trex.cursor().skip(4);
        int trackId = (int) c.u32();
        c.skip(4); // default_sample_description_index
        for (Mp4Track t : chosen) {
            if (t != null && t.trackId == trackId) {
                t.defaultDuration = c.u32();
                t.defaultSize = c.u32();
                t.defaultFlags = (int) c.u32();
                return;
            }
        }
    }
}
