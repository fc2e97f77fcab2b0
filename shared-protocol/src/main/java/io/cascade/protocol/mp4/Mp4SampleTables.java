package io.cascade.protocol.mp4;

/**
 * Indexes the samples a progressive file lists in a track's stbl (ISO/IEC 14496-12 8.6.1.2 stts, 8.6.1.3 ctts, 8.6.2
 * stss, 8.7.3 stsz, 8.7.4 stsc, 8.7.5 stco/co64). The tables are run-length coded; they are walked side by side, one
 * sample at a time, so no table is ever expanded into an array of the sample count the file claims.
 *
 * <p>Only the first sample description is played: samples are assumed to use it (stsc's sample_description_index is
 * not checked). A track is cut at its first sample whose bytes run past the end of the file (a file truncated inside
 * mdat): later samples of that track could not decode without it.
 */
final class Mp4SampleTables {
    private static final int STSZ = Mp4Box.type("stsz");
    private static final int STTS = Mp4Box.type("stts");
    private static final int CTTS = Mp4Box.type("ctts");
    private static final int STSS = Mp4Box.type("stss");
    private static final int STSC = Mp4Box.type("stsc");
    private static final int STCO = Mp4Box.type("stco");
    private static final int CO64 = Mp4Box.type("co64");

    private Mp4SampleTables() {
    }

    static void index(Mp4Box stbl, Mp4Track track, long fileSize) throws Mp4Exception {
        Mp4Box.Cursor stsz = stbl.required(STSZ).cursor().skip(4);
        long constantSize = stsz.u32();
        long count = stsz.u32();
        if (constantSize == 0 && count * 4 > stsz.remaining()) {
            throw new Mp4Exception("stsz lists " + count + " sizes in " + stsz.remaining() + " bytes");
        }
        if (count == 0) {
            return;
        }
        Runs durations = new Runs(stbl.required(STTS), false);
        Mp4Box ctts = stbl.child(CTTS);
        Runs offsets = ctts == null ? null : new Runs(ctts, true);
        SyncSamples sync = new SyncSamples(stbl.child(STSS));
        Chunks chunks = new Chunks(stbl.required(STSC), chunkOffsets(stbl));
        long dts = 0;
        for (long i = 0; i < count; i++) {
            long size = constantSize != 0 ? constantSize : stsz.u32();
            long offset = chunks.next(size);
            long duration = durations.next();
            int compositionOffset = offsets == null || !offsets.hasNext() ? 0 : (int) offsets.next();
            if (offset < 0 || offset > fileSize - size) {
                return; // past the end of a truncated file: the track ends with the last whole sample
            }
            track.add(dts, duration, compositionOffset, sync.isSync(i + 1), offset, size);
            dts += duration;
        }
    }

    private static Mp4Box chunkOffsets(Mp4Box stbl) throws Mp4Exception {
        Mp4Box b = stbl.child(STCO);
        if (b == null) {
            b = stbl.child(CO64);
        }
        if (b == null) {
            throw new Mp4Exception("stbl without stco or co64");
        }
        return b;
    }

    /** (sample_count, value) runs of stts (unsigned delta) or ctts (offset, read as signed in both versions). */
    private static final class Runs {
        private final Mp4Box.Cursor c;
        private final boolean signed;
        private int entriesLeft;
        private long left;
        private long value;

        Runs(Mp4Box box, boolean signed) throws Mp4Exception {
            this.c = box.cursor().skip(4);
            this.signed = signed;
            this.entriesLeft = c.count(8);
        }

        boolean hasNext() throws Mp4Exception {
            while (left == 0 && entriesLeft > 0) {
                entriesLeft--;
                left = c.u32();
                // ctts version 0 is unsigned in the spec, but writers put negative offsets there all the same
                value = signed ? c.s32() : c.u32();
            }
            return left > 0;
        }

        long next() throws Mp4Exception {
            if (!hasNext()) {
                throw new Mp4Exception("stts covers fewer samples than stsz lists");
            }
            left--;
            return value;
        }
    }

    /** stss: the sync sample numbers in increasing order; no stss means every sample is a sync sample. */
    private static final class SyncSamples {
        private final Mp4Box.Cursor c;
        private int left;
        private long nextSync;

        SyncSamples(Mp4Box stss) throws Mp4Exception {
            this.c = stss == null ? null : stss.cursor().skip(4);
            this.left = c == null ? 0 : c.count(4);
            this.nextSync = -1;
        }

        /** Asked with increasing sample numbers (from 1). */
        boolean isSync(long number) throws Mp4Exception {
            if (c == null) {
                return true;
            }
            while (nextSync < number && left > 0) {
                left--;
                nextSync = c.u32();
            }
            return nextSync == number;
        }
    }

    /** stsc runs over the chunk offsets: hands out each sample's file offset in turn. */
    private static final class Chunks {
        private final Mp4Box.Cursor stsc;
        private final Mp4Box.Cursor offsets;
        private final boolean wide;
        private final int chunkCount;
        private int runsLeft;
        private long samplesPerChunk;
        /** First chunk (1-based) of the next stsc run; 0 when there is none. */
        private long nextRunFirstChunk;
        private long chunk;
        private long samplesLeftInChunk;
        private long position;

        Chunks(Mp4Box stscBox, Mp4Box offsetsBox) throws Mp4Exception {
            stsc = stscBox.cursor().skip(4);
            runsLeft = stsc.count(12);
            wide = offsetsBox.type() == CO64;
            offsets = offsetsBox.cursor().skip(4);
            chunkCount = offsets.count(wide ? 8 : 4);
            nextRunFirstChunk = readRunStart();
        }

        long next(long size) throws Mp4Exception {
            while (samplesLeftInChunk == 0) {
                if (chunk >= chunkCount) {
                    throw new Mp4Exception("stco/co64 has fewer chunks (" + chunkCount + ") than the samples need");
                }
                chunk++;
                while (nextRunFirstChunk != 0 && chunk >= nextRunFirstChunk) {
                    samplesPerChunk = stsc.u32();
                    stsc.skip(4); // sample_description_index
                    nextRunFirstChunk = readRunStart();
                }
                samplesLeftInChunk = samplesPerChunk;
                position = wide ? offsets.u64() : offsets.u32();
            }
            samplesLeftInChunk--;
            long at = position;
            position += size; // sizes are at most 32 bits: a negative offset is seen (and refused) by the caller
            return at;
        }

        private long readRunStart() throws Mp4Exception {
            if (runsLeft == 0) {
                return 0;
            }
            runsLeft--;
            long first = stsc.u32();
            if (first <= chunk) {
                throw new Mp4Exception("stsc first_chunk " + first + " does not increase");
            }
            return first;
        }
    }
}
