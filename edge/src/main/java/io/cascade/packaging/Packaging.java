package io.cascade.packaging;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.dash.DashManifest;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.mp4.CmafSample;
import io.cascade.protocol.mp4.CmafTrack;
import io.cascade.protocol.mp4.CmafWriter;
import io.cascade.protocol.ts.TsSample;
import io.cascade.protocol.ts.TsSegmentWriter;
import io.cascade.protocol.ts.TsTrackConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link Segment}'s frames into CMAF and MPEG-TS bytes. A pure function of the segment: every node that
 * packages the same segment gets the same bytes.
 *
 * <p>Timescales: video in 90 kHz (what MPEG-TS uses too), audio in its sample rate so AAC frames have whole-sample
 * durations. Times are converted from the frames' own timescale, never from rounded values.
 */
public final class Packaging {
    public static final int VIDEO_TRACK_ID = 1;
    public static final int AUDIO_TRACK_ID = 2;
    public static final int VIDEO_TIMESCALE = 90_000;
    /** Duration of a video frame when nothing follows it (the last frame of a publish): 25 fps. */
    private static final int FALLBACK_VIDEO_FRAME_90K = 3_600;

    private Packaging() {
    }

    /** The CMAF track a segment's frames of this type form, or null when the segment has no config for it. */
    public static CmafTrack track(Segment s, TrackType type) {
        MediaFrame config = type == TrackType.VIDEO ? s.videoConfig() : s.audioConfig();
        if (config == null) {
            return null;
        }
        int timescale = type == TrackType.VIDEO ? VIDEO_TIMESCALE : sampleRate(config);
        return new CmafTrack(type == TrackType.VIDEO ? VIDEO_TRACK_ID : AUDIO_TRACK_ID, config.codec(), timescale,
                config.payload());
    }

    public static byte[] cmafInit(Segment s, TrackType type) {
        return CmafWriter.initSegment(track(s, type));
    }

    /** The segment's frames of one track as a CMAF fragment; null when it has none. */
    public static byte[] cmafMedia(Segment s, TrackType type) {
        CmafTrack track = track(s, type);
        List<CmafSample> samples = samples(s, type, track == null ? 0 : track.timescale());
        if (track == null || samples.isEmpty()) {
            return null;
        }
        return CmafWriter.mediaSegment(track, s.index() + 1, samples);
    }

    /**
     * Samples of one track with exact durations: up to the next frame, the last one up to the segment's end. A
     * fragment stores only its first decode time, so each later one is the previous plus its duration: a frame
     * whose timestamp does not move forward still gets one tick.
     */
    static List<CmafSample> samples(Segment s, TrackType type, int timescale) {
        List<MediaFrame> frames = s.frames().stream().filter(f -> f.trackType() == type).toList();
        List<CmafSample> out = new ArrayList<>(frames.size());
        long time = frames.isEmpty() ? 0 : scale(frames.get(0).dts(), frames.get(0).timescale(), timescale);
        for (int i = 0; i < frames.size(); i++) {
            MediaFrame f = frames.get(i);
            long end;
            if (i + 1 < frames.size()) {
                end = scale(frames.get(i + 1).dts(), f.timescale(), timescale);
            } else if (type == TrackType.VIDEO) {
                end = s.videoEnd() > f.dts() ? scale(s.videoEnd(), f.timescale(), timescale)
                        : time + FALLBACK_VIDEO_FRAME_90K;
            } else {
                end = time + samplesPerFrame(s.audioConfig());
            }
            int duration = (int) Math.max(1, Math.min(Integer.MAX_VALUE, end - time));
            int offset = (int) (scale(f.pts(), f.timescale(), timescale) - time);
            out.add(new CmafSample(time, duration, offset, type != TrackType.VIDEO || f.isKeyframe(), f.payload()));
            time += duration;
        }
        return out;
    }

    /** Start time and duration of one track of the segment in that track's timescale (a DASH S element), or null. */
    public static long[] timing(Segment s, TrackType type) {
        CmafTrack track = track(s, type);
        if (track == null) {
            return null;
        }
        List<CmafSample> samples = samples(s, type, track.timescale());
        if (samples.isEmpty()) {
            return null;
        }
        CmafSample last = samples.get(samples.size() - 1);
        long start = samples.get(0).decodeTime();
        return new long[] {start, last.decodeTime() + last.duration() - start};
    }

    /** The segment as one MPEG-TS file with both tracks, in ingest (decode) order. */
    public static byte[] ts(Segment s) {
        return ts(s, false);
    }

    /** The segment as one MPEG-TS file, with its audio track only when {@code audioOnly}. */
    public static byte[] ts(Segment s, boolean audioOnly) {
        MediaFrame v = audioOnly ? null : s.videoConfig();
        MediaFrame a = s.audioConfig();
        TsTrackConfig tracks = new TsTrackConfig(v == null ? null : v.codec(), v == null ? null : v.payload(),
                a == null ? null : a.codec(), a == null ? null : a.payload());
        List<TsSample> samples = new ArrayList<>(s.frames().size());
        for (MediaFrame f : s.frames()) {
            boolean video = f.trackType() == TrackType.VIDEO;
            if ((video && v == null) || (!video && a == null)) {
                continue;
            }
            samples.add(new TsSample(video, scale(f.dts(), f.timescale(), VIDEO_TIMESCALE),
                    scale(f.pts(), f.timescale(), VIDEO_TIMESCALE), f.isKeyframe(), f.payload()));
        }
        return samples.isEmpty() ? null : TsSegmentWriter.segment(tracks, samples);
    }

    /**
     * The DASH representation of one track of a publish (named {@code video} or {@code audio}, files under
     * {@code v/} or {@code a/}), its config from {@code newest}: what the edges' MPD and the DASH files both list.
     */
    public static DashManifest.Representation dashRepresentation(Segment newest, TrackType type, long bandwidth,
                                                                  long startNumber,
                                                                  List<DashManifest.TimelineEntry> timeline) {
        CmafTrack t = track(newest, type);
        boolean video = type == TrackType.VIDEO;
        AudioSpecificConfig asc = video ? null : aac(newest.audioConfig());
        String dir = video ? "v/" : "a/";
        return new DashManifest.Representation(video ? "video" : "audio", video, CmafWriter.codecs(t),
                Math.max(1, bandwidth), CmafWriter.width(t), CmafWriter.height(t), video ? 0 : asc.sampleRate(),
                video ? 0 : asc.channelConfiguration(), t.timescale(), dir + "init-" + newest.publishOrdinal() + ".mp4",
                dir + "$Number$.m4s", startNumber, timeline);
    }

    /** Channels of the segment's audio track (0 without one), for the HLS audio rendition. */
    public static int audioChannels(Segment s) {
        return s.audioConfig() == null ? 0 : aac(s.audioConfig()).channelConfiguration();
    }

    public static String codecs(Segment s, TrackType type) {
        CmafTrack t = track(s, type);
        return t == null ? null : CmafWriter.codecs(t);
    }

    static long scale(long time, int from, int to) {
        return from == to ? time : Math.floorDiv(time * to, from);
    }

    private static int sampleRate(MediaFrame config) {
        if (config.codec() != Codec.AAC) {
            throw new IllegalArgumentException("no audio packaging for " + config.codec());
        }
        return aac(config).sampleRate();
    }

    private static int samplesPerFrame(MediaFrame config) {
        return config == null ? 1024 : aac(config).samplesPerFrame();
    }

    private static AudioSpecificConfig aac(MediaFrame config) {
        try {
            return AudioSpecificConfig.parse(config.payload(), 0, config.payload().length);
        } catch (BitstreamException e) {
            throw new IllegalArgumentException("audio config: " + e.getMessage(), e);
        }
    }
}
