package io.cascade.protocol.ts.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.MediaFrame;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A sink that keeps everything, and the ways the tests feed a converter. */
final class Collector implements TsToFrames.Sink {
    record Skipped(TsToFrames.Skip why, String detail) {
    }

    final List<MediaFrame> frames = new ArrayList<>();
    final List<Skipped> skips = new ArrayList<>();

    @Override
    public void frame(MediaFrame frame) {
        if (!frames.isEmpty()) {
            assertTrue(frame.sequence() > frames.get(frames.size() - 1).sequence(), "sequence increases");
        }
        assertEquals(TsToFrames.TIMESCALE, frame.timescale());
        frames.add(frame);
    }

    @Override
    public void skipped(TsToFrames.Skip why, String detail) {
        skips.add(new Skipped(why, detail));
    }

    List<MediaFrame> track(int track) {
        return frames.stream().filter(f -> f.track() == track).toList();
    }

    List<MediaFrame> media(int track) {
        return frames.stream().filter(f -> f.track() == track && !f.isConfig()).toList();
    }

    List<MediaFrame> configs(int track) {
        return frames.stream().filter(f -> f.track() == track && f.isConfig()).toList();
    }

    long skips(TsToFrames.Skip why) {
        return skips.stream().filter(s -> s.why() == why).count();
    }

    /** Everything through a new converter in one call, then flush. */
    static Collector whole(byte[] ts) {
        Collector c = new Collector();
        TsToFrames t = new TsToFrames(c);
        t.feed(ts, 0, ts.length);
        t.flush();
        c.stats = t.stats();
        c.inputErrors = t.inputErrors();
        return c;
    }

    /** Everything in random pieces of 1..maxPiece bytes, then flush. */
    static Collector pieces(byte[] ts, long seed, int maxPiece) {
        Random r = new Random(seed);
        Collector c = new Collector();
        TsToFrames t = new TsToFrames(c);
        int p = 0;
        while (p < ts.length) {
            int n = Math.min(ts.length - p, 1 + r.nextInt(maxPiece));
            t.feed(ts, p, n);
            p += n;
        }
        t.flush();
        c.stats = t.stats();
        c.inputErrors = t.inputErrors();
        return c;
    }

    /** In pieces of exactly n bytes (the last one shorter), then flush. */
    static Collector fixed(byte[] ts, int n) {
        Collector c = new Collector();
        TsToFrames t = new TsToFrames(c);
        for (int p = 0; p < ts.length; p += n) {
            t.feed(ts, p, Math.min(n, ts.length - p));
        }
        t.flush();
        c.stats = t.stats();
        c.inputErrors = t.inputErrors();
        return c;
    }

    TsToFrames.Stats stats;

    /** What {@link TsToFrames#inputErrors()} said with {@link #stats}. */

    long inputErrors;

    static byte[] resource(String name) {
        try (InputStream in = Collector.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
