package io.cascade.edge.vod;

import io.cascade.media.FileSegments;
import io.cascade.media.MediaFile;
import io.cascade.media.MediaFileException;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.packaging.Packaging;
import io.cascade.packaging.Segment;
import io.cascade.protocol.dash.DashManifest;
import io.cascade.protocol.hls.HlsPlaylist;
import io.cascade.protocol.mp4.CmafTrack;
import io.cascade.protocol.mp4.CmafWriter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One media file opened for playing on demand: its sample index (the reader's), where it is cut into segments, and
 * the HLS playlists and DASH MPD of those segments, each built once. Segments are {@link Segment}s as a live stream's
 * are, so {@link Packaging} turns them into the same CMAF and MPEG-TS bytes; only their samples are read from the
 * file. The readers' index is fixed once the file is open and is read without a lock (an RTSP PLAY seeks in it on its
 * event loop); their reads move one channel's position, so each goes through {@link #readLock}. Reads block, so
 * callers keep them off event loops.
 *
 * <p>Layout under {@code /<app>/<path>/}, as a live stream's: {@code index.m3u8} (multivariant with both tracks),
 * {@code v/} and {@code a/} ({@code index.m3u8}, {@code init-0.mp4}, {@code <n>.m4s}), {@code ts/} ({@code index.m3u8},
 * {@code <n>.ts}) and {@code index.mpd}.
 */
public final class VodFile {
    /** A segment's samples are read into memory to be packaged: one larger than this is refused, not read. */
    public static final long MAX_SEGMENT_BYTES = 64L << 20;
    /** The stand-in payload of a frame known by its timing only (a sample must have a byte; nothing reads it). */
    private static final byte[] NO_PAYLOAD = new byte[1];
    /** The one "publish" of a file: its init segments are {@code init-0.mp4}. */
    static final long PUBLISH = 0;

    private final String key;
    private final MediaFile media;
    private final List<FileSegments.Cut> cuts;
    private final long targetMillis;
    private final MediaFrame videoConfig;
    private final MediaFrame audioConfig;
    private final long firstMillis;
    private final boolean hasVideo;
    /** Held for each read of the file: the reader positions its one channel, then reads. */
    private final Object readLock = new Object();
    // built on first request, then kept while the file is open (guarded by this)
    private String index;
    private String videoPlaylist;
    private String audioPlaylist;
    private String tsPlaylist;
    private String mpd;
    private long[] peakBitsPerSecond;

    /** @param key names this version of the file (path, modification time, size) in caches */
    VodFile(String key, MediaFile media, long targetMillis) {
        this.key = key;
        this.media = media;
        this.targetMillis = targetMillis;
        MediaFrame v = null;
        MediaFrame a = null;
        for (MediaFrame c : media.configs()) {
            if (c.trackType() == TrackType.VIDEO && v == null) {
                v = c;
            } else if (c.trackType() == TrackType.AUDIO && a == null) {
                a = c;
            }
        }
        this.videoConfig = v;
        this.audioConfig = a;
        this.cuts = FileSegments.cut(media, targetMillis);
        this.firstMillis = media.sample(0).millis();
        this.hasVideo = v != null;
    }

    String key() {
        return key;
    }

    public List<MediaFrame> configs() {
        return media.configs();
    }

    public long durationMillis() {
        return media.durationMillis();
    }

    public int sampleCount() {
        return media.sampleCount();
    }

    public MediaFile.Sample sample(int i) {
        return media.sample(i);
    }

    /** Sample {@code i} with its payload (a blocking read). */
    public MediaFrame read(int i) throws IOException {
        synchronized (readLock) {
            return media.read(i);
        }
    }

    /** Normal play time (from the file's first sample) of sample {@code i}, in milliseconds. */
    public long nptMillis(int i) {
        return media.sample(i).millis() - firstMillis;
    }

    /**
     * The sample playing from {@code nptMillis} starts at: the last video keyframe at or before it (any sample of a
     * file without video). A binary search of the index, which is in decode order, then a walk back to the keyframe:
     * a PLAY seeks on its event loop.
     */
    public int seekIndex(long nptMillis) {
        long target = firstMillis + Math.max(0, nptMillis);
        int lo = 0;
        int hi = media.sampleCount() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (media.sample(mid).millis() <= target) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        for (int i = lo; i > 0; i--) {
            MediaFile.Sample s = media.sample(i);
            if (!hasVideo || s.video() && s.keyframe()) {
                return i;
            }
        }
        return 0;
    }

    public List<FileSegments.Cut> cuts() {
        return cuts;
    }

    /** Whether the file has this track with at least one sample. */
    public boolean has(TrackType track) {
        return (track == TrackType.VIDEO ? videoConfig : audioConfig) != null && peak(track) > 0;
    }

    /**
     * Segment {@code n} with its samples read from the file when {@code withPayload} (to package it), or with their
     * timing only (for playlists: nothing is read). Throws MediaFileException for a segment over
     * {@link #MAX_SEGMENT_BYTES}.
     */
    public Segment segment(int n, boolean withPayload) throws IOException {
        FileSegments.Cut cut = cuts.get(n);
        long bytes = 0;
        for (int i = cut.first(); i < cut.end(); i++) {
            bytes += media.sample(i).size();
        }
        if (withPayload && bytes > MAX_SEGMENT_BYTES) {
            throw new MediaFileException("segment " + n + " holds " + bytes + " bytes, more than "
                    + MAX_SEGMENT_BYTES + " (keyframes too far apart)");
        }
        List<MediaFrame> frames = new ArrayList<>(cut.end() - cut.first());
        for (int i = cut.first(); i < cut.end(); i++) {
            frames.add(withPayload ? read(i) : timingOnly(i, n));
        }
        return new Segment(n, PUBLISH, false, 0, videoConfig, audioConfig, frames, cut.startMillis(),
                cut.durationMillis(), videoEnd(n), bytes);
    }

    /** A sample as a frame without its payload: all a playlist needs to know of it. */
    private MediaFrame timingOnly(int i, int n) {
        MediaFile.Sample s = media.sample(i);
        MediaFrame config = s.video() ? videoConfig : audioConfig;
        return new MediaFrame(s.track(), config.codec(), s.dts(), s.pts(), s.timescale(),
                s.keyframe() ? MediaFrame.FLAG_KEYFRAME : 0, n, i, NO_PAYLOAD);
    }

    /**
     * Where the segment's last video frame ends, in the video timescale: the next segment's first video frame, or
     * for the last segment its last frame plus the step before it.
     */
    private long videoEnd(int n) {
        if (videoConfig == null) {
            return 0;
        }
        int from = n + 1 < cuts.size() ? cuts.get(n + 1).first() : media.sampleCount();
        for (int i = from; i < media.sampleCount(); i++) {
            if (media.sample(i).video()) {
                return media.sample(i).dts();
            }
        }
        long last = Long.MIN_VALUE;
        for (int i = media.sampleCount() - 1; i >= 0; i--) {
            if (media.sample(i).video()) {
                if (last != Long.MIN_VALUE) {
                    return last + (last - media.sample(i).dts());
                }
                last = media.sample(i).dts();
            }
        }
        return last == Long.MIN_VALUE ? 0 : last;
    }

    /** The init segment of a track, or null when the file has no such track. */
    public byte[] init(TrackType track) throws IOException {
        return has(track) ? Packaging.cmafInit(segment(0, false), track) : null;
    }

    /** {@code index.m3u8}: video with its audio rendition and audio only, or the only track's media playlist. */
    public synchronized String index() throws IOException {
        if (index == null) {
            boolean video = has(TrackType.VIDEO);
            boolean audio = has(TrackType.AUDIO);
            if (video && audio) {
                Segment first = segment(0, false);
                String audioCodecs = Packaging.codecs(first, TrackType.AUDIO);
                CmafTrack v = Packaging.track(first, TrackType.VIDEO);
                index = HlsPlaylist.multivariant(
                        List.of(new HlsPlaylist.AudioRendition("audio", "audio", Packaging.audioChannels(first),
                                "a/index.m3u8")),
                        List.of(new HlsPlaylist.Variant("v/index.m3u8", peak(TrackType.VIDEO) + peak(TrackType.AUDIO),
                                        CmafWriter.codecs(v) + "," + audioCodecs, CmafWriter.width(v),
                                        CmafWriter.height(v), "audio"),
                                new HlsPlaylist.Variant("a/index.m3u8", peak(TrackType.AUDIO), audioCodecs, 0, 0,
                                        null)));
            } else {
                index = playlist(video ? "v/" : "a/", ".m4s", true);
            }
        }
        return index;
    }

    /** {@code v/index.m3u8} or {@code a/index.m3u8}. */
    public synchronized String media(TrackType track) {
        if (track == TrackType.VIDEO) {
            return videoPlaylist != null ? videoPlaylist : (videoPlaylist = playlist("", ".m4s", true));
        }
        return audioPlaylist != null ? audioPlaylist : (audioPlaylist = playlist("", ".m4s", true));
    }

    /** {@code ts/index.m3u8}. */
    public synchronized String ts() {
        return tsPlaylist != null ? tsPlaylist : (tsPlaylist = playlist("", ".ts", false));
    }

    /** A VOD media playlist of every segment, ended: players may start and seek anywhere in it. */
    private String playlist(String prefix, String extension, boolean cmaf) {
        List<HlsPlaylist.Segment> listed = new ArrayList<>(cuts.size());
        for (int n = 0; n < cuts.size(); n++) {
            listed.add(new HlsPlaylist.Segment(n, prefix + n + extension, cuts.get(n).durationMillis(), false, 0,
                    cmaf ? prefix + "init-" + PUBLISH + ".mp4" : null, 0, null));
        }
        return HlsPlaylist.media(cmaf ? HlsPlaylist.FMP4_VERSION : HlsPlaylist.TS_VERSION, HlsPlaylist.Type.VOD,
                targetMillis, listed, true);
    }

    /**
     * {@code index.mpd}: a static MPD over the same CMAF segments, each track's SegmentTimeline from the samples'
     * own times, exactly as its fragments state them.
     */
    public synchronized String mpd() throws IOException {
        if (mpd != null) {
            return mpd;
        }
        List<DashManifest.Representation> reps = new ArrayList<>(2);
        Segment first = segment(0, false);
        for (TrackType track : new TrackType[] {TrackType.VIDEO, TrackType.AUDIO}) {
            if (!has(track)) {
                continue;
            }
            List<DashManifest.TimelineEntry> timeline = new ArrayList<>(cuts.size());
            for (int n = 0; n < cuts.size(); n++) {
                long[] timing = Packaging.timing(segment(n, false), track);
                if (timing == null) {
                    break; // $Number$ must run on without a gap: a track that stops early is listed up to there
                }
                timeline.add(new DashManifest.TimelineEntry(timing[0], timing[1]));
            }
            reps.add(Packaging.dashRepresentation(first, track, peak(track), 0, timeline));
        }
        long longest = 0;
        for (FileSegments.Cut c : cuts) {
            longest = Math.max(longest, c.durationMillis());
        }
        mpd = DashManifest.onDemand(media.durationMillis(), longest, targetMillis, reps);
        return mpd;
    }

    /** Peak bits per second of one track over the segments, from the index's sample sizes. */
    private synchronized long peak(TrackType track) {
        if (peakBitsPerSecond == null) {
            long[] peaks = new long[2];
            for (FileSegments.Cut c : cuts) {
                long[] bytes = new long[2];
                for (int i = c.first(); i < c.end(); i++) {
                    MediaFile.Sample s = media.sample(i);
                    bytes[s.video() ? 0 : 1] += s.size();
                }
                for (int t = 0; t < 2; t++) {
                    peaks[t] = Math.max(peaks[t], bytes[t] * 8_000 / Math.max(1, c.durationMillis()));
                }
            }
            peakBitsPerSecond = peaks;
        }
        return peakBitsPerSecond[track == TrackType.VIDEO ? 0 : 1];
    }

    /** Closes the reader; called by the library once nobody uses this version of the file. */
    void close() {
        try {
            synchronized (readLock) {
                media.close();
            }
        } catch (IOException e) {
            // nothing to do: the file was only read
        }
    }
}
