package io.cascade.protocol.dash;

import io.cascade.protocol.hls.HlsPlaylist;

import java.util.List;


/**
 * Writes a dynamic (live) or static (on demand) DASH MPD (ISO/IEC 23009-1, DASH-IF guidelines): one Period, one adaptation set per
 * track, SegmentTemplate with $Number$ and a SegmentTimeline that says exactly when each segment starts. Pure
 * text from plain values: the same segments always give the same bytes on every node.
 */
public final class DashManifest {
    private DashManifest() {
    }

    /** One segment of a representation, in its timescale: start time and duration. */
    public record TimelineEntry(long time, long duration) {
    }

    /**
     * One track. {@code initialization} and {@code media} are templates relative to the MPD ({@code $Number$} in
     * {@code media}); the first timeline entry has number {@code startNumber}.
     */
    public record Representation(String id, boolean video, String codecs, long bandwidth, int width, int height,
                                 int sampleRate, int channels, int timescale, String initialization, String media,
                                 long startNumber, List<TimelineEntry> timeline) {
    }

    /**
     * Everything about the presentation as a whole; all times in milliseconds.
     *
     * @param availabilityStartMillis wall clock of media time 0 (epoch ms)
     * @param publishMillis           wall clock of the newest segment's end: changes only when the MPD does
     * @param utcTiming               where players read the server's clock (urn:mpeg:dash:utc:http-iso:2014), or null
     */
    public record Presentation(long availabilityStartMillis, long publishMillis, String periodId,
                               long minimumUpdatePeriodMillis, long timeShiftBufferMillis, long suggestedDelayMillis,
                               long maxSegmentMillis, long minBufferMillis, String utcTiming) {
    }

    public static String dynamic(Presentation p, List<Representation> representations) {
        StringBuilder out = new StringBuilder(1024);
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"")
                .append(" type=\"dynamic\" availabilityStartTime=\"").append(HlsPlaylist.dateTime(p.availabilityStartMillis()))
                .append("\" publishTime=\"").append(HlsPlaylist.dateTime(p.publishMillis()))
                .append("\" minimumUpdatePeriod=\"").append(duration(p.minimumUpdatePeriodMillis()))
                .append("\" timeShiftBufferDepth=\"").append(duration(p.timeShiftBufferMillis()))
                .append("\" suggestedPresentationDelay=\"").append(duration(p.suggestedDelayMillis()))
                .append("\" maxSegmentDuration=\"").append(duration(p.maxSegmentMillis()))
                .append("\" minBufferTime=\"").append(duration(p.minBufferMillis())).append("\">\n");
        appendPeriod(out, p.periodId(), representations);
        return p.utcTiming() == null ? out.toString() : withUtcTiming(out.toString(), p.utcTiming());
    }

    /**
     * A static MPD (on demand: a file's whole presentation, which never changes): the same Period as the live one,
     * with the presentation's duration instead of availability times, so players may seek anywhere in it.
     *
     * @param durationMillis   mediaPresentationDuration
     * @param maxSegmentMillis the longest segment listed
     * @param minBufferMillis  what a player should hold before it starts (a segment)
     */
    public static String onDemand(long durationMillis, long maxSegmentMillis, long minBufferMillis,
                                  List<Representation> representations) {
        StringBuilder out = new StringBuilder(1024);
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"")
                .append(" type=\"static\" mediaPresentationDuration=\"").append(duration(durationMillis))
                .append("\" maxSegmentDuration=\"").append(duration(maxSegmentMillis))
                .append("\" minBufferTime=\"").append(duration(minBufferMillis)).append("\">\n");
        appendPeriod(out, "0", representations);
        return out.toString();
    }

    /** One Period from media time 0, an adaptation set per representation, then the MPD's end tag. */
    private static void appendPeriod(StringBuilder out, String periodId, List<Representation> representations) {
        out.append("  <Period id=\"").append(periodId).append("\" start=\"PT0S\">\n");
        int set = 0;
        for (Representation r : representations) {
            String type = r.video() ? "video" : "audio";
            out.append("    <AdaptationSet id=\"").append(set++).append("\" contentType=\"").append(type)
                    .append("\" mimeType=\"").append(type).append("/mp4\" segmentAlignment=\"true\" startWithSAP=\"1\">\n");
            out.append("      <Representation id=\"").append(r.id()).append("\" codecs=\"").append(r.codecs())
                    .append("\" bandwidth=\"").append(r.bandwidth()).append('"');
            if (r.video()) {
                if (r.width() > 0 && r.height() > 0) {
                    out.append(" width=\"").append(r.width()).append("\" height=\"").append(r.height()).append('"');
                }
            } else {
                out.append(" audioSamplingRate=\"").append(r.sampleRate()).append('"');
            }
            out.append(">\n");
            if (!r.video() && r.channels() > 0) {
                out.append("        <AudioChannelConfiguration schemeIdUri=")
                        .append("\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" value=\"")
                        .append(r.channels()).append("\"/>\n");
            }
            out.append("        <SegmentTemplate timescale=\"").append(r.timescale()).append("\" initialization=\"")
                    .append(r.initialization()).append("\" media=\"").append(r.media()).append("\" startNumber=\"")
                    .append(r.startNumber()).append("\">\n          <SegmentTimeline>\n");
            appendTimeline(out, r.timeline());
            out.append("          </SegmentTimeline>\n        </SegmentTemplate>\n      </Representation>\n")
                    .append("    </AdaptationSet>\n");
        }
        out.append("  </Period>\n").append(MPD_END);
    }

    private static final String MPD_END = "</MPD>\n";

    /**
     * The MPD with a UTCTiming element naming {@code url} (urn:mpeg:dash:utc:http-iso:2014): lets a server build an
     * MPD once and name, per request, the host the player reached it by.
     */
    public static String withUtcTiming(String mpd, String url) {
        return mpd.substring(0, mpd.length() - MPD_END.length())
                + "  <UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:http-iso:2014\" value=\"" + url + "\"/>\n" + MPD_END;
    }

    /** S elements: a run of equal, back-to-back durations becomes one element with a repeat count. */
    private static void appendTimeline(StringBuilder out, List<TimelineEntry> timeline) {
        int i = 0;
        long expectedTime = Long.MIN_VALUE;
        while (i < timeline.size()) {
            TimelineEntry e = timeline.get(i);
            int repeat = 0;
            while (i + repeat + 1 < timeline.size()) {
                TimelineEntry next = timeline.get(i + repeat + 1);
                if (next.duration() != e.duration() || next.time() != e.time() + (repeat + 1) * e.duration()) {
                    break;
                }
                repeat++;
            }
            out.append("            <S");
            if (e.time() != expectedTime) {
                out.append(" t=\"").append(e.time()).append('"');
            }
            out.append(" d=\"").append(e.duration()).append('"');
            if (repeat > 0) {
                out.append(" r=\"").append(repeat).append('"');
            }
            out.append("/>\n");
            expectedTime = e.time() + (repeat + 1) * e.duration();
            i += repeat + 1;
        }
    }

    /** xs:duration in seconds with milliseconds ("PT2.000S"). */
    public static String duration(long millis) {
        return "PT" + HlsPlaylist.seconds(Math.max(0, millis)) + "S";
    }

}
