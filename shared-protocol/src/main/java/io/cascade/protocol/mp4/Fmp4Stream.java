package io.cascade.protocol.mp4;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.BitstreamException;

import java.util.ArrayList;
import java.util.List;

/**
 * One live fragmented-MP4 byte stream carrying a stream's video and audio together: an init segment with a track for
 * each (what a Media Source Extensions SourceBuffer takes as a whole), then one movie fragment per frame, written by
 * {@link CmafWriter}. Each fragment's tfdt says where it goes, so video and audio fragments interleave in arrival order.
 *
 * <p>Times: video in 90 kHz, audio in its sample rate. The timestamp a frame is given (its decode time as viewers see
 * it, continued across republishes) is used at the precision of the frame's own timescale. A fragment of one frame
 * cannot know when the next frame comes: a video sample lasts as long as the step between the last two video frames,
 * an AAC sample exactly one frame of samples. Audio decode times are kept on a grid of whole AAC frames from the
 * first audio frame, so consecutive audio samples neither overlap nor leave gaps however the source rounded its
 * timestamps (RTMP's are milliseconds); a frame more than a quarter frame off the grid starts a new grid.
 *
 * <p>Not thread-safe: one owner calls it, in stream order (frames seen again, as a joining viewer's GOP, are fine).
 */
public final class Fmp4Stream {
    public static final int VIDEO_TRACK_ID = 1;
    public static final int AUDIO_TRACK_ID = 2;
    public static final int VIDEO_TIMESCALE = 90_000;
    /** A video sample's duration until two frames have shown the frame rate: 25 fps. */
    static final int DEFAULT_VIDEO_DURATION = VIDEO_TIMESCALE / 25;
    /** A step between video frames longer than this is a gap in the stream, not its frame rate. */
    static final long MAX_VIDEO_STEP = 2L * VIDEO_TIMESCALE;

    private CmafTrack video;
    private CmafTrack audio;
    private int samplesPerAudioFrame;
    private byte[] init;
    private String mimeType;
    private long lastVideoDecode = -1;
    private int videoDuration = DEFAULT_VIDEO_DURATION;
    /** Audio decode time (in the sample rate) the grid of whole AAC frames starts from; -1 before the first. */
    private long audioGrid = -1;

    /**
     * Takes a decoder configuration frame. Answers whether the init segment changed (a new track, or a track's
     * configuration changed); a configuration equal to the current one changes nothing.
     *
     * @throws IllegalArgumentException when no init segment can carry the configuration (the track keeps its
     *                                  previous one)
     */
    public boolean configure(MediaFrame config) {
        if (!config.isConfig()) {
            throw new IllegalArgumentException("not a config frame: " + config);
        }
        if (config.trackType() == TrackType.VIDEO) {
            CmafTrack t = new CmafTrack(VIDEO_TRACK_ID, config.codec(), VIDEO_TIMESCALE, config.payload());
            if (t.equals(video)) {
                return false;
            }
            video = t;
        } else if (config.trackType() == TrackType.AUDIO && config.codec() == Codec.AAC) {
            AudioSpecificConfig asc;
            try {
                asc = AudioSpecificConfig.parse(config.payload(), 0, config.payload().length);
            } catch (BitstreamException e) {
                throw new IllegalArgumentException("bad AudioSpecificConfig: " + e.getMessage(), e);
            }
            CmafTrack t = new CmafTrack(AUDIO_TRACK_ID, Codec.AAC, asc.sampleRate(), config.payload());
            if (t.equals(audio)) {
                return false;
            }
            if (audio != null && audio.timescale() != t.timescale()) {
                audioGrid = -1; // another sample rate: the old grid means nothing in it
            }
            audio = t;
            samplesPerAudioFrame = asc.samplesPerFrame();
        } else {
            throw new IllegalArgumentException("no fMP4 track for " + config.codec());
        }
        List<CmafTrack> tracks = tracks();
        init = CmafWriter.initSegment(tracks);
        StringBuilder codecs = new StringBuilder();
        for (CmafTrack t : tracks) {
            codecs.append(codecs.length() == 0 ? "" : ",").append(CmafWriter.codecs(t));
        }
        mimeType = (video != null ? "video" : "audio") + "/mp4; codecs=\"" + codecs + "\"";
        return true;
    }

    /** The init segment of the tracks configured so far (video first), or null before any. */
    public byte[] initSegment() {
        return init;
    }

    /** The MIME type with codecs for Media Source Extensions, e.g. {@code video/mp4; codecs="avc1.64001f,mp4a.40.2"}. */
    public String mimeType() {
        return mimeType;
    }

    /**
     * One media frame as a movie fragment (moof + mdat, no styp), or null when the stream has no track for it yet
     * (no config seen) or it is script data.
     *
     * @param timestampMillis the frame's decode time as viewers see it; it differs from the frame's own by the same
     *                        amount for a whole publish
     * @throws IllegalArgumentException for a frame no fragment can carry (a video frame that is not whole NAL units)
     */
    public byte[] fragment(MediaFrame f, long timestampMillis) {
        if (f.isConfig()) {
            throw new IllegalArgumentException("a config frame goes to configure: " + f);
        }
        long shiftMillis = timestampMillis - f.dtsMillis();
        if (f.trackType() == TrackType.VIDEO && video != null && f.codec() == video.codec()) {
            long decode = Math.max(0, scale(f.dts(), f.timescale(), VIDEO_TIMESCALE) + shiftMillis * 90);
            long step = decode - lastVideoDecode;
            if (lastVideoDecode >= 0 && step > 0 && step <= MAX_VIDEO_STEP) {
                videoDuration = (int) step;
            }
            lastVideoDecode = decode;
            int offset = (int) (scale(f.pts(), f.timescale(), VIDEO_TIMESCALE)
                    - scale(f.dts(), f.timescale(), VIDEO_TIMESCALE));
            return CmafWriter.fragment(video, f.sequence() & 0xFFFF_FFFFL,
                    List.of(new CmafSample(decode, videoDuration, offset, f.isKeyframe(), f.payload())));
        }
        if (f.trackType() == TrackType.AUDIO && audio != null && f.codec() == audio.codec()) {
            int rate = audio.timescale();
            long real = scale(f.dts(), f.timescale(), rate) + Math.floorDiv(shiftMillis * rate, 1000);
            long decode = onAudioGrid(real);
            return CmafWriter.fragment(audio, f.sequence() & 0xFFFF_FFFFL,
                    List.of(new CmafSample(decode, samplesPerAudioFrame, 0, true, f.payload())));
        }
        return null;
    }

    /** The publish ended: the next may bring other tracks, configurations and timing. */
    public void reset() {
        video = null;
        audio = null;
        init = null;
        mimeType = null;
        lastVideoDecode = -1;
        videoDuration = DEFAULT_VIDEO_DURATION;
        audioGrid = -1;
    }

    /** The whole-frame grid point nearest to the audio frame's own time, or a new grid from it when that is far. */
    private long onAudioGrid(long real) {
        int frame = samplesPerAudioFrame;
        if (audioGrid >= 0) {
            long n = Math.floorDiv(real - audioGrid + frame / 2, frame);
            long snapped = audioGrid + n * frame;
            if (Math.abs(real - snapped) <= frame / 4 && snapped >= 0) {
                return snapped;
            }
        }
        audioGrid = Math.max(0, real);
        return audioGrid;
    }

    private List<CmafTrack> tracks() {
        List<CmafTrack> tracks = new ArrayList<>(2);
        if (video != null) {
            tracks.add(video);
        }
        if (audio != null) {
            tracks.add(audio);
        }
        return tracks;
    }

    private static long scale(long time, int from, int to) {
        return from == to ? time : Math.floorDiv(time * to, from);
    }
}
