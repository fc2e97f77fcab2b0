package io.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.MediaFile;
import io.cascade.media.MediaFrame;
import java.io.IOException;

/** What every opened {@link MediaFile} must hold to, whatever file it came from: the fuzz tests' oracle. */
public final class MediaFileChecks {
    /**
     * Samples read per check: a hostile file may index millions of overlapping samples, and reading them all is the
     * fuzzer's time, not a finding.
     */
    public static final int MAX_READS = 2_000;

    private MediaFileChecks() {
    }

    /** Checks the index and the configs, and reads samples (the first and last {@link #MAX_READS} / 2). */
    public static void exercise(MediaFile f, long fileLength) throws IOException {
        int n = f.sampleCount();
        assertTrue(n >= 1, "an opened file has samples");
        assertTrue(!f.configs().isEmpty() && f.configs().size() <= 2, "one config per track");
        for (MediaFrame c : f.configs()) {
            assertTrue(c.isConfig() && c.dts() == 0 && c.payload().length > 0);
        }
        assertTrue(f.durationMillis() >= 0, "duration " + f.durationMillis());
        for (int i = 0; i < n; i++) {
            if (i >= MAX_READS / 2 && i < n - MAX_READS / 2) {
                continue;
            }
            MediaFile.Sample s = f.sample(i);
            assertTrue(s.offset() >= 0 && s.size() > 0 && s.offset() + s.size() <= fileLength, "sample inside the file");
            assertTrue(s.track() == 0 || s.track() == 1);
            MediaFrame m = f.read(i);
            assertEquals(s.track(), m.track());
            assertEquals(s.dts(), m.dts());
            assertEquals(s.pts(), m.pts());
            assertEquals(s.keyframe(), m.isKeyframe());
        }
        for (long ms : new long[] {Long.MIN_VALUE / 2000, -1, 0, 1000, f.durationMillis(), Long.MAX_VALUE / 2000}) {
            int at = f.seekIndex(ms);
            assertTrue(at >= 0 && at < n);
        }
    }
}
