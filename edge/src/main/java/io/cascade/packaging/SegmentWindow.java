package io.cascade.packaging;

import io.cascade.media.TrackType;
import io.cascade.protocol.dash.DashManifest;
import io.cascade.protocol.hls.HlsPlaylist;
import io.cascade.protocol.mp4.CmafTrack;
import io.cascade.protocol.mp4.CmafWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The segments a stream lists at one moment, and every playlist and manifest made from them. Immutable: a new window
 * replaces it when a segment completes, and each text is built once per window (not per request). Everything here
 * is a function of the segments, which are the same on every node, so every node serves the same bytes.
 *
 * <p>Layout under {@code /<stream>/}: {@code index.m3u8} (multivariant when there are two tracks), {@code v/} and
 * {@code a/} (CMAF per track: {@code index.m3u8}, {@code init-<publish>.mp4}, {@code <n>.m4s}), {@code ts/} (MPEG-TS:
 * {@code index.m3u8}, {@code <n>.ts}), {@code aes/} (the TS segments AES-128 encrypted, keys {@code key-<k>.key}) and
 * {@code index.mpd} (DASH over the CMAF segments).
 */
public final class SegmentWindow {
    /** Players start this many target durations behind the live edge (DASH suggestedPresentationDelay). */
    private static final int PRESENTATION_DELAY_SEGMENTS = 3;

    private final String name;
    private final PackageSettings settings;
    private final List<ListedSegment> segments;
    private final long targetMillis;
    private String multivariant;
    private String videoPlaylist;
    private String audioPlaylist;
    private String tsPlaylist;
    private String aesPlaylist;
    private String mpd;
    /** Init segments built for this window, by track and publish: a window lists at most a few publishes. */
    private final Map<String, byte[]> inits = new ConcurrentHashMap<>();

    private SegmentWindow(String name, PackageSettings settings, List<ListedSegment> segments, long targetMillis) {
        this.name = name;
        this.settings = settings;
        this.segments = segments;
        this.targetMillis = targetMillis;
    }

    static SegmentWindow empty(String name, PackageSettings settings) {
        return new SegmentWindow(name, settings, List.of(), 0);
    }

    SegmentWindow next(List<ListedSegment> listed, long target) {
        return new SegmentWindow(name, settings, listed, target);
    }

    public List<ListedSegment> segments() {
        return segments;
    }

    /** The listed segment with this number, or null. */
    public ListedSegment find(long index) {
        if (segments.isEmpty()) {
            return null;
        }
        long position = index - segments.get(0).segment().index(); // numbers run on without gaps
        return position < 0 || position >= segments.size() ? null : segments.get((int) position);
    }

    public boolean has(TrackType track) {
        if (segments.isEmpty()) {
            return false;
        }
        Segment newest = segments.get(segments.size() - 1).segment();
        return (track == TrackType.VIDEO ? newest.videoConfig() : newest.audioConfig()) != null && newest.has(track);
    }

    /** The init segment of one track for one publish, or null when no listed segment belongs to it. */
    public byte[] init(TrackType track, long publishOrdinal) {
        return inits.computeIfAbsent(track + "/" + publishOrdinal, k -> buildInit(track, publishOrdinal));
    }

    private byte[] buildInit(TrackType track, long publishOrdinal) {
        for (ListedSegment l : segments) {
            Segment s = l.segment();
            if (s.publishOrdinal() == publishOrdinal && Packaging.track(s, track) != null) {
                return Packaging.cmafInit(s, track);
            }
        }
        return null;
    }

    /** {@code index.m3u8}: both tracks as a multivariant playlist, or the only track's media playlist. */
    public String index() {
        if (multivariant == null) {
            boolean video = has(TrackType.VIDEO);
            boolean audio = has(TrackType.AUDIO);
            if (video && audio) {
                Segment newest = newest();
                String audioCodecs = Packaging.codecs(newest, TrackType.AUDIO);
                CmafTrack v = Packaging.track(newest, TrackType.VIDEO);
                multivariant = HlsPlaylist.multivariant(
                        List.of(new HlsPlaylist.AudioRendition("audio", "audio", Packaging.audioChannels(newest), "a/index.m3u8")),
                        List.of(new HlsPlaylist.Variant("v/index.m3u8",
                                        bandwidth(TrackType.VIDEO) + bandwidth(TrackType.AUDIO),
                                        CmafWriter.codecs(v) + "," + audioCodecs, CmafWriter.width(v), CmafWriter.height(v),
                                        "audio"),
                                new HlsPlaylist.Variant("a/index.m3u8", bandwidth(TrackType.AUDIO), audioCodecs, 0, 0,
                                        null)));
            } else {
                multivariant = cmafPlaylist(video ? TrackType.VIDEO : TrackType.AUDIO, video ? "v/" : "a/");
            }
        }
        return multivariant;
    }

    /** {@code v/index.m3u8} or {@code a/index.m3u8}. */
    public String media(TrackType track) {
        if (track == TrackType.VIDEO) {
            return videoPlaylist != null ? videoPlaylist : (videoPlaylist = cmafPlaylist(track, ""));
        }
        return audioPlaylist != null ? audioPlaylist : (audioPlaylist = cmafPlaylist(track, ""));
    }

    private String cmafPlaylist(TrackType track, String prefix) {
        List<HlsPlaylist.Segment> listed = new ArrayList<>(segments.size());
        for (ListedSegment l : segments) {
            Segment s = l.segment();
            listed.add(new HlsPlaylist.Segment(s.index(), prefix + s.index() + ".m4s", s.durationMillis(),
                    s.discontinuity(), s.publishOrdinal(), prefix + "init-" + s.publishOrdinal() + ".mp4",
                    s.programDateTimeMillis(), null));
        }
        return HlsPlaylist.media(HlsPlaylist.FMP4_VERSION, settings.type(), targetMillis, listed, false);
    }

    /** {@code ts/index.m3u8}, or {@code aes/index.m3u8} when encrypted. */
    public String ts(boolean encrypted) {
        if (encrypted ? aesPlaylist != null : tsPlaylist != null) {
            return encrypted ? aesPlaylist : tsPlaylist;
        }
        List<HlsPlaylist.Segment> listed = new ArrayList<>(segments.size());
        for (ListedSegment l : segments) {
            Segment s = l.segment();
            String key = encrypted ? "key-" + settings.keys().keyNumber(s.index()) + ".key" : null;
            listed.add(new HlsPlaylist.Segment(s.index(), s.index() + ".ts", s.durationMillis(), s.discontinuity(),
                    s.publishOrdinal(), null, s.programDateTimeMillis(), key));
        }
        String text = HlsPlaylist.media(HlsPlaylist.TS_VERSION, settings.type(), targetMillis, listed, false);
        if (encrypted) {
            aesPlaylist = text;
        } else {
            tsPlaylist = text;
        }
        return text;
    }

    /**
     * {@code index.mpd}: one Period for the current publish (its segments only), media time 0 at the publish's
     * clock anchor, so segment availability follows from the SegmentTimeline alone. Built once per window; only
     * the UTCTiming element, which names the host the client asked, is added per request.
     */
    public String mpd(String utcTiming) {
        if (mpd == null) {
            mpd = buildMpd();
        }
        return utcTiming == null ? mpd : DashManifest.withUtcTiming(mpd, utcTiming);
    }

    private String buildMpd() {
        Segment newest = newest();
        List<Segment> period = new ArrayList<>();
        long longest = targetMillis;
        long total = 0;
        for (ListedSegment l : segments) {
            Segment s = l.segment();
            if (s.publishOrdinal() == newest.publishOrdinal()) {
                period.add(s);
                longest = Math.max(longest, s.durationMillis());
                total += s.durationMillis();
            }
        }
        List<DashManifest.Representation> reps = new ArrayList<>(2);
        for (TrackType track : new TrackType[] {TrackType.VIDEO, TrackType.AUDIO}) {
            if (Packaging.track(newest, track) == null || !has(track)) {
                continue;
            }
            List<DashManifest.TimelineEntry> timeline = new ArrayList<>(period.size());
            long startNumber = -1;
            for (Segment s : period) {
                long[] timing = Packaging.timing(s, track);
                if (timing == null) {
                    timeline.clear(); // a segment without this track would break $Number$: list from after it
                    startNumber = -1;
                    continue;
                }
                if (startNumber < 0) {
                    startNumber = s.index();
                }
                timeline.add(new DashManifest.TimelineEntry(timing[0], timing[1]));
            }
            if (!timeline.isEmpty()) {
                reps.add(Packaging.dashRepresentation(newest, track, bandwidth(track), startNumber, timeline));
            }
        }
        long end = newest.startMillis() + newest.durationMillis();
        return DashManifest.dynamic(new DashManifest.Presentation(newest.clockAnchorMillis(),
                newest.clockAnchorMillis() + end, String.valueOf(newest.publishOrdinal()), targetMillis, total,
                PRESENTATION_DELAY_SEGMENTS * targetMillis, longest, targetMillis, null), reps);
    }

    private Segment newest() {
        return segments.get(segments.size() - 1).segment();
    }

    /** Peak bits per second of one track over the listed segments (what EXT-X-STREAM-INF BANDWIDTH means). */
    private long bandwidth(TrackType track) {
        long peak = 0;
        for (ListedSegment l : segments) {
            peak = Math.max(peak, l.segment().bitsPerSecond(track));
        }
        return peak;
    }
}
