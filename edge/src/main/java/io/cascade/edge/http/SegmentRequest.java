package io.cascade.edge.http;

import io.cascade.media.StreamNames;
import io.cascade.media.TrackType;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an HTTP path under {@code /<stream>/} asks for. The grammar is closed: a stream name by the one naming rule,
 * then one of a fixed set of file names with decimal numbers, so no path can reach anything but the stream's own
 * playlists, segments and keys (no "..", no percent-escapes, no file system).
 */
public record SegmentRequest(String stream, Kind kind, TrackType track, long number) {
    public enum Kind {
        INDEX, MPD, MEDIA_PLAYLIST, INIT, CMAF, TS_PLAYLIST, TS, AES_PLAYLIST, AES_SEGMENT, AES_KEY
    }

    /** Segment numbers and publish counts fit in 18 digits: no overflow when parsed. */
    private static final String NUMBER = "(0|[1-9][0-9]{0,17})";
    private static final Pattern PATH = Pattern.compile("/([A-Za-z0-9._-]{1," + StreamNames.MAX_LENGTH + "})/(.{1,64})");
    private static final Pattern CMAF = Pattern.compile("([va])/(index\\.m3u8|init-" + NUMBER + "\\.mp4|" + NUMBER + "\\.m4s)");
    private static final Pattern TS = Pattern.compile("(ts|aes)/(index\\.m3u8|" + NUMBER + "\\.ts|key-" + NUMBER + "\\.key)");

    /** The request, or null when the path is not one a stream serves. */
    public static SegmentRequest parse(String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches() || !StreamNames.isValid(m.group(1))) {
            return null;
        }
        return of(m.group(1), m.group(2));
    }

    /**
     * What {@code file} (the path after a stream's or a VOD file's folder: {@code index.m3u8}, {@code v/3.m4s}...)
     * asks for, or null when it is none of the names a stream serves.
     */
    static SegmentRequest of(String stream, String file) {
        if (file.length() > 64) {
            return null;
        }
        switch (file) {
            case "index.m3u8" -> {
                return new SegmentRequest(stream, Kind.INDEX, null, 0);
            }
            case "index.mpd" -> {
                return new SegmentRequest(stream, Kind.MPD, null, 0);
            }
            default -> {
            }
        }
        Matcher c = CMAF.matcher(file);
        if (c.matches()) {
            TrackType track = c.group(1).equals("v") ? TrackType.VIDEO : TrackType.AUDIO;
            if (c.group(2).equals("index.m3u8")) {
                return new SegmentRequest(stream, Kind.MEDIA_PLAYLIST, track, 0);
            }
            return c.group(3) != null
                    ? new SegmentRequest(stream, Kind.INIT, track, Long.parseLong(c.group(3)))
                    : new SegmentRequest(stream, Kind.CMAF, track, Long.parseLong(c.group(4)));
        }
        Matcher t = TS.matcher(file);
        if (t.matches()) {
            boolean aes = t.group(1).equals("aes");
            if (t.group(2).equals("index.m3u8")) {
                return new SegmentRequest(stream, aes ? Kind.AES_PLAYLIST : Kind.TS_PLAYLIST, null, 0);
            }
            if (t.group(3) != null) {
                return new SegmentRequest(stream, aes ? Kind.AES_SEGMENT : Kind.TS, null, Long.parseLong(t.group(3)));
            }
            return aes ? new SegmentRequest(stream, Kind.AES_KEY, null, Long.parseLong(t.group(4))) : null;
        }
        return null;
    }
}
