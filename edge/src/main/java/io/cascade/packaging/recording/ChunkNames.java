package io.cascade.packaging.recording;

import java.util.Locale;

/**
 * How a recording names its files, all in the folder of its {@code pathToFile}:
 *
 * <ul>
 *   <li>without {@code chunkLength}, the first file is the name itself ({@code show.mp4}); a file started later
 *       (another codec after a republish, the sample limit of an MP4 file) is numbered from 2 ({@code show-0002.mp4});</li>
 *   <li>with {@code chunkLength}, every file is numbered from 1: {@code show-0001.mp4}, {@code show-0002.mp4}, ...
 *       (four digits at least, more past 9999);</li>
 *   <li>a file being written is {@code .show-0001.mp4.part} beside it, renamed into place when it is finished; an MP4
 *       being made progressive is {@code .show-0001.mp4.tmp} meanwhile;</li>
 *   <li>a part found at startup whose name is taken already is recovered as {@code show-recovered.mp4} (then
 *       {@code -recovered-2}, ...).</li>
 * </ul>
 *
 * The leading dot keeps files aside out of the listings of most web servers and file managers, and no name a
 * recording finishes can be mistaken for one aside.
 */
final class ChunkNames {
    static final String PART = ".part";
    static final String TMP = ".tmp";
    /** Numbers a recording tries for a free file name before it gives up: far more files than a folder should hold. */
    static final int MAX_NUMBER = 1_000_000;

    private ChunkNames() {
    }

    /** The name of the file with this number (from 1). */
    static String chunk(String name, int number, boolean chunked) {
        if (!chunked && number == 1) {
            return name;
        }
        return insert(name, "-" + String.format(Locale.ROOT, "%04d", number));
    }

    /** The name of the n-th recovered copy (from 1) of a file whose name is taken. */
    static String recovered(String name, int n) {
        return insert(name, n == 1 ? "-recovered" : "-recovered-" + n);
    }

    /** The file aside while {@code name} is written. */
    static String part(String name) {
        return "." + name + PART;
    }

    /** The progressive MP4 aside while {@code name} is made from its part. */
    static String tmp(String name) {
        return "." + name + TMP;
    }

    /** The finished name of a file aside ({@code .x.mp4.part} gives {@code x.mp4}), or null for any other name. */
    static String finished(String aside, String suffix) {
        if (!aside.startsWith(".") || !aside.endsWith(suffix) || aside.length() <= 1 + suffix.length()) {
            return null;
        }
        String name = aside.substring(1, aside.length() - suffix.length());
        return RecordingSpec.Format.of(name) != null ? name : null;
    }

    /** {@code what} before the extension: {@code show.mp4} and {@code -0002} give {@code show-0002.mp4}. */
    private static String insert(String name, String what) {
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? name + what : name.substring(0, dot) + what + name.substring(dot);
    }
}
