package io.cascade.protocol.hls;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Writes HLS playlists (RFC 8216). Pure text from plain values: the same segments always give the same bytes, which
 * is what lets every edge of a cluster serve identical playlists.
 */
public final class HlsPlaylist {
    /** EXT-X-MAP in a media playlist without I-frames-only needs version 6; version 7 is what CMAF needs overall. */
    public static final int FMP4_VERSION = 7;
    /** MPEG-TS segments with EXTINF fractions and EXT-X-KEY IVs from the sequence number. */
    public static final int TS_VERSION = 3;
    private static final DateTimeFormatter DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private HlsPlaylist() {
    }

    /**
     * One media segment as a playlist lists it.
     *
     * @param uri                  relative to the playlist
     * @param durationMillis       exact duration (EXTINF)
     * @param discontinuity        its timeline does not continue from the segment before (ignored for the first listed)
     * @param discontinuitySequence how many discontinuities precede it in the stream's whole history
     * @param mapUri               its initialization section (fMP4), or null
     * @param programDateTimeMillis wall clock of its first sample (epoch ms), or 0 for none
     * @param keyUri               AES-128 key it is encrypted with, or null when clear (METHOD=NONE is written when
     *                             a clear segment follows an encrypted one)
     */
    public record Segment(long sequence, String uri, long durationMillis, boolean discontinuity,
                          long discontinuitySequence, String mapUri, long programDateTimeMillis, String keyUri) {
    }

    /**
     * Live window (no type tag), an event playlist that only grows ("EVENT"), or a file's whole playlist that never
     * changes ("VOD": players may then seek anywhere in it and cache it).
     */
    public enum Type { LIVE, EVENT, VOD }

    /**
     * A media playlist. The target duration is the larger of the configured target and the longest segment listed,
     * rounded up to whole seconds as RFC 8216 4.3.3.1 asks; media and discontinuity sequences are those of the first
     * segment listed.
     */
    public static String media(int version, Type type, long targetMillis, List<Segment> segments, boolean ended) {
        long longest = targetMillis;
        for (Segment s : segments) {
            longest = Math.max(longest, s.durationMillis());
        }
        StringBuilder out = new StringBuilder(128 + segments.size() * 96);
        out.append("#EXTM3U\n#EXT-X-VERSION:").append(version).append('\n');
        out.append("#EXT-X-TARGETDURATION:").append((longest + 999) / 1000).append('\n');
        if (type != Type.LIVE) {
            out.append("#EXT-X-PLAYLIST-TYPE:").append(type.name()).append('\n');
        }
        if (!segments.isEmpty()) {
            Segment first = segments.get(0);
            out.append("#EXT-X-MEDIA-SEQUENCE:").append(first.sequence()).append('\n');
            out.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(first.discontinuitySequence()).append('\n');
        }
        out.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        String map = null;
        String key = null;
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (i > 0 && s.discontinuity()) {
                out.append("#EXT-X-DISCONTINUITY\n");
            }
            if (s.keyUri() != null && !s.keyUri().equals(key)) {
                // no IV attribute: the IV is the media sequence number (RFC 8216 5.2)
                out.append("#EXT-X-KEY:METHOD=AES-128,URI=\"").append(s.keyUri()).append("\"\n");
                key = s.keyUri();
            } else if (s.keyUri() == null && key != null) {
                // a key applies until the next EXT-X-KEY: clear segments after encrypted ones need their own
                out.append("#EXT-X-KEY:METHOD=NONE\n");
                key = null;
            }
            if (s.mapUri() != null && !s.mapUri().equals(map)) {
                out.append("#EXT-X-MAP:URI=\"").append(s.mapUri()).append("\"\n");
                map = s.mapUri();
            }
            if (s.programDateTimeMillis() != 0) {
                out.append("#EXT-X-PROGRAM-DATE-TIME:").append(dateTime(s.programDateTimeMillis())).append('\n');
            }
            out.append("#EXTINF:").append(seconds(s.durationMillis())).append(",\n").append(s.uri()).append('\n');
        }
        if (ended) {
            out.append("#EXT-X-ENDLIST\n");
        }
        return out.toString();
    }

    /** One variant of a multivariant playlist. */
    public record Variant(String uri, long bandwidth, String codecs, int width, int height, String audioGroup) {
    }

    /** An audio rendition (EXT-X-MEDIA) that variants refer to by group. */
    public record AudioRendition(String groupId, String name, int channels, String uri) {
    }

    public static String multivariant(List<AudioRendition> audio, List<Variant> variants) {
        StringBuilder out = new StringBuilder(256);
        out.append("#EXTM3U\n#EXT-X-VERSION:").append(FMP4_VERSION).append("\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (AudioRendition a : audio) {
            out.append("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"").append(a.groupId()).append("\",NAME=\"").append(a.name())
                    .append("\",DEFAULT=YES,AUTOSELECT=YES");
            if (a.channels() > 0) {
                out.append(",CHANNELS=\"").append(a.channels()).append('"');
            }
            out.append(",URI=\"").append(a.uri()).append("\"\n");
        }
        for (Variant v : variants) {
            out.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(v.bandwidth()).append(",CODECS=\"").append(v.codecs())
                    .append('"');
            if (v.width() > 0 && v.height() > 0) {
                out.append(",RESOLUTION=").append(v.width()).append('x').append(v.height());
            }
            if (v.audioGroup() != null) {
                out.append(",AUDIO=\"").append(v.audioGroup()).append('"');
            }
            out.append('\n').append(v.uri()).append('\n');
        }
        return out.toString();
    }

    /** ISO 8601 with milliseconds in UTC, as EXT-X-PROGRAM-DATE-TIME and DASH want it. */
    public static String dateTime(long epochMillis) {
        return DATE_TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Milliseconds as decimal seconds with three places, without floating point (so no "1.9999999"). */
    public static String seconds(long millis) {
        long abs = Math.abs(millis);
        return (millis < 0 ? "-" : "") + abs / 1000 + "." + String.format(Locale.ROOT, "%03d", abs % 1000);
    }
}
