package io.cascade.media;

import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.AvcSps;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h265.HevcDecoderConfig;
import io.cascade.protocol.h265.HevcSps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an operator is told about one media track of a live stream (the API's {@code getStreamInfo}): its codec, and
 * what its decoder configuration says (picture size; sample rate and channels) with the video frame rate measured
 * from the frames' timestamps. Made from the frames a node holds anyway (the ingest's segment cache), so nothing on
 * the media path pays for it. A field the frames do not tell is 0 ({@link #frameRate} 0 too).
 *
 * @param track      the track number within the stream
 * @param type       video or audio
 * @param codec      the frames' codec
 * @param codecs     the RFC 6381 string ("avc1.42C00D", "mp4a.40.2"), "" when the configuration could not be read
 * @param width      decoded picture width in pixels (cropping applied)
 * @param height     decoded picture height in pixels
 * @param frameRate  video frames per second over the frames looked at, to two decimals
 * @param sampleRate audio samples per second
 * @param channels   audio channel configuration (1 mono, 2 stereo, ...); 0 when the configuration defers it
 */
public record TrackSummary(int track, TrackType type, Codec codec, String codecs, int width, int height,
                           double frameRate, int sampleRate, int channels) {

    /**
     * One summary per audio and video track of {@code frames} (in stream order, as a GOP or segment cache holds
     * them), by track number. The last configuration of a track wins: a publisher may change it mid-stream. A track
     * whose configuration cannot be read is still listed, with its codec only.
     */
    public static List<TrackSummary> of(List<MediaFrame> frames) {
        Map<Integer, MediaFrame> configs = new TreeMap<>();
        Map<Integer, Codec> codecs = new TreeMap<>();
        Map<Integer, long[]> videoTimes = new TreeMap<>(); // track -> {frames, first dts, last dts, timescale}
        for (MediaFrame f : frames) {
            TrackType type = f.trackType();
            if (type != TrackType.VIDEO && type != TrackType.AUDIO) {
                continue;
            }
            codecs.put(f.track(), f.codec());
            if (f.isConfig()) {
                configs.put(f.track(), f);
            } else if (type == TrackType.VIDEO) {
                long[] t = videoTimes.get(f.track());
                if (t == null || t[3] != f.timescale()) {
                    videoTimes.put(f.track(), new long[] {1, f.dts(), f.dts(), f.timescale()});
                } else {
                    t[0]++;
                    t[1] = Math.min(t[1], f.dts());
                    t[2] = Math.max(t[2], f.dts());
                }
            }
        }
        List<TrackSummary> out = new ArrayList<>();
        codecs.forEach((track, codec) -> out.add(describe(track, codec, configs.get(track), videoTimes.get(track))));
        return out;
    }

    private static TrackSummary describe(int track, Codec codec, MediaFrame config, long[] videoTimes) {
        TrackType type = codec.trackType();
        double rate = videoTimes == null ? 0 : frameRate(videoTimes[0], videoTimes[2] - videoTimes[1], videoTimes[3]);
        if (config == null || config.codec() != codec) {
            return new TrackSummary(track, type, codec, "", 0, 0, rate, 0, 0);
        }
        byte[] c = config.payload();
        try {
            switch (codec) {
                case H264 -> {
                    AvcDecoderConfig record = AvcDecoderConfig.parse(c, 0, c.length);
                    if (record.sps().isEmpty()) {
                        return new TrackSummary(track, type, codec, record.codecString(), 0, 0, rate, 0, 0);
                    }
                    byte[] spsBytes = record.sps().get(0);
                    AvcSps sps = AvcSps.parse(spsBytes, 0, spsBytes.length);
                    return new TrackSummary(track, type, codec, record.codecString(), sps.width(), sps.height(), rate,
                            0, 0);
                }
                case H265 -> {
                    HevcDecoderConfig record = HevcDecoderConfig.parse(c, 0, c.length);
                    if (record.sps().isEmpty()) {
                        return new TrackSummary(track, type, codec, record.codecString(), 0, 0, rate, 0, 0);
                    }
                    byte[] spsBytes = record.sps().get(0);
                    HevcSps sps = HevcSps.parse(spsBytes, 0, spsBytes.length);
                    return new TrackSummary(track, type, codec, record.codecString(), sps.width(), sps.height(), rate,
                            0, 0);
                }
                case AAC -> {
                    AudioSpecificConfig asc = AudioSpecificConfig.parse(c, 0, c.length);
                    return new TrackSummary(track, type, codec, asc.codecString(), 0, 0, 0, asc.sampleRate(),
                            asc.channelConfiguration());
                }
                default -> {
                    return new TrackSummary(track, type, codec, "", 0, 0, rate, 0, 0);
                }
            }
        } catch (BitstreamException | RuntimeException e) {
            // a configuration the node could not read is the publisher's; the track is still there
            return new TrackSummary(track, type, codec, "", 0, 0, rate, 0, 0);
        }
    }

    /**
     * Frames per second from {@code count} frames whose decode times span {@code span} timescale units: the intervals
     * between them, so 25 frames 40 ms apart are 25 fps. 0 with fewer than two frames or no span.
     */
    static double frameRate(long count, long span, long timescale) {
        if (count < 2 || span <= 0) {
            return 0;
        }
        return Math.round((count - 1) * (double) timescale / span * 100) / 100.0;
    }
}
