package io.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.MediaFile;
import io.cascade.media.MediaFileException;
import io.cascade.media.MediaFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/** What every opened {@link MediaFile} must hold to, whatever file it came from: the fuzz tests' oracle. */
public final class MediaFileChecks {
    /**
     * Samples read per check: a hostile file may index millions of overlapping samples, and reading them all is the
     * fuzzer's time, not a finding.
     */
    public static final int MAX_READS = 2_000;

    private MediaFileChecks() {
    }

    /** A reader's open method. */
    @FunctionalInterface
    public interface Opener {
        MediaFile open(SeekableByteChannel channel) throws IOException;
    }

    /**
     * The fuzz body of a reader: the bytes open and {@link #exercise} passes, or the reader throws its declared
     * exception; anything else (another IOException included) goes on to fail the test.
     */
    public static void openAndExercise(byte[] data, Opener opener, Class<? extends MediaFileException> declared)
            throws IOException {
        try (MediaFile f = opener.open(new ByteArrayChannel(data))) {
            exercise(f, data.length);
        } catch (MediaFileException e) {
            if (!declared.isInstance(e)) {
                throw e;
            }
        }
    }

    /**
     * The fuzz body over every seed cut at every length and the committed findings of {@code seedDir}/open
     * ({@link FuzzSeeds#replay}), then {@code mutants} random mutants of each seed, as plain JUnit.
     */
    public static void replay(Path seedDir, Map<String, byte[]> seeds, Opener opener,
                              Class<? extends MediaFileException> declared, int mutants) throws IOException {
        Consumer<byte[]> body = data -> {
            try {
                openAndExercise(data, opener, declared);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        FuzzSeeds.replay(seedDir, Map.of("open", seeds), Map.of("open", body), Integer.MAX_VALUE);
        Random random = new Random(1);
        seeds.values().forEach(seed -> FuzzSeeds.mutate(seed, random, mutants, body));
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
