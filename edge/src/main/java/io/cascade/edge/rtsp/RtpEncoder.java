package io.cascade.edge.rtsp;

import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.rtp.frames.FramesToRtp;
import io.cascade.protocol.rtp.payload.Packetizer;
import io.cascade.protocol.sdp.SdpFormats;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * A stream's frames as RTP, one track per medium, in interleaved records on the channels the viewers set up: the
 * encoding every RTSP player of those channels shares. Each track has one SSRC and sequence for all of them. A
 * sender report for every track follows each video keyframe (so a player that joins at the keyframe can align audio
 * with video at once) and goes out at least every {@link #SENDER_REPORT_INTERVAL_MS} of media anyway.
 */
final class RtpEncoder implements FrameEncoder {
    /** RFC 3550 suggests about 5 s between reports; players align sooner with a shorter interval, at little cost. */
    static final long SENDER_REPORT_INTERVAL_MS = 1_000;
    static final String CNAME = "cascade";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<Integer, Integer> channels;
    private final Map<Integer, Track> tracks = new HashMap<>();
    private final InterleavedRecords records = new InterleavedRecords();
    /**
     * The stream's wall clock at media time 0, as the last segment start carried it: only those frames carry it, so
     * a report triggered by any other frame (audio between keyframes) would otherwise say the media began in 1970.
     */
    private long anchorMillis;

    /** @param channels the RTP channel of each frame track to send; tracks not named are not sent */
    RtpEncoder(Map<Integer, Integer> channels) {
        this.channels = Map.copyOf(channels);
    }

    /** One track's sender and when it last reported. */
    private static final class Track {
        final FramesToRtp sender;
        final int channel;
        long lastReportMillis = Long.MIN_VALUE;

        Track(FramesToRtp sender, int channel) {
            this.sender = sender;
            this.channel = channel;
        }
    }

    @Override
    public byte[] encode(MediaFrame frame, long timestampMillis) {
        Integer channel = channels.get(frame.track());
        if (channel == null || frame.trackType() == TrackType.DATA) {
            return null;
        }
        Track track = tracks.get(frame.track());
        if (frame.isConfig()) {
            if (track == null || !sameClock(track, frame)) {
                track = newTrack(frame, channel);
                if (track == null) {
                    return null;
                }
                tracks.put(frame.track(), track);
            }
            track.sender.packets(frame); // remembers the parameter sets it sends before keyframes
            return null;
        }
        if (track == null) {
            return null; // no config yet: the player could not decode it anyway
        }
        if (frame.clockAnchorMillis() != 0) {
            anchorMillis = frame.clockAnchorMillis();
        }
        track.sender.shift(timestampMillis - frame.dtsMillis());
        for (byte[] packet : track.sender.packets(frame)) {
            records.add(channel, packet);
        }
        long media = frame.dtsMillis();
        if (frame.trackType() == TrackType.VIDEO && frame.isKeyframe()) {
            for (Track t : tracks.values()) {
                report(t, media);
            }
        } else if (media - track.lastReportMillis >= SENDER_REPORT_INTERVAL_MS || media < track.lastReportMillis) {
            report(track, media);
        }
        return records.take();
    }

    /**
     * Sets the wall clock at media time 0, for a source whose frames carry none (a file played on demand: the moment
     * PLAY started, less the position it started at), so sender reports go out from the first frame.
     */
    void anchor(long millis) {
        anchorMillis = millis;
    }

    /**
     * A track's RTP-Info at {@code startMillis} of media time: the sequence number of its next packet and its RTP
     * time there; null for a track not set up or without a config yet.
     */
    io.cascade.rtsp.RtspVodSession.RtpStart start(int track, long startMillis) {
        Track t = tracks.get(track);
        if (t == null) {
            return null;
        }
        MediaFrame at = new MediaFrame(track, t.sender.codec(), startMillis, startMillis, 1000, 0,
                MediaFrame.NO_SEGMENT, 0, new byte[0]);
        return new io.cascade.rtsp.RtspVodSession.RtpStart(t.sender.nextSequence(), t.sender.rtpTimestamp(at));
    }

    /** Every track's last RTCP (SR, CNAME, BYE) as interleaved records: the end of the stream for its players. */
    byte[] bye(String reason) {
        for (Track t : tracks.values()) {
            records.add(t.channel + 1, t.sender.bye(anchorMillis, CNAME, reason));
        }
        return records.take();
    }

    private void report(Track t, long mediaMillis) {
        if (anchorMillis == 0) {
            return; // joined between two segment starts: the next one tells the wall clock
        }
        byte[] sr = t.sender.senderReport(anchorMillis, CNAME);
        if (sr != null) {
            records.add(t.channel + 1, sr);
            t.lastReportMillis = mediaMillis;
        }
    }

    /** Whether the track's sender can go on with this config: same codec and clock (a republish usually is). */
    private static boolean sameClock(Track track, MediaFrame config) {
        return track.sender.codec() == config.codec() && track.sender.clockRate() == clockRate(config);
    }

    private static Track newTrack(MediaFrame config, int channel) {
        int clock = clockRate(config);
        if (clock <= 0 || config.codec() != Codec.H264 && config.codec() != Codec.H265 && config.codec() != Codec.AAC) {
            return null;
        }
        int payloadType = config.trackType() == TrackType.VIDEO ? SdpFormats.VIDEO_PAYLOAD_TYPE
                : SdpFormats.AUDIO_PAYLOAD_TYPE;
        FramesToRtp sender = new FramesToRtp(config.codec(), payloadType, clock, RANDOM.nextInt() & 0xFFFFFFFFL,
                RANDOM.nextInt(0x10000), RANDOM.nextInt() & 0xFFFFFFFFL, Packetizer.DEFAULT_MAX_PAYLOAD);
        return new Track(sender, channel);
    }

    private static int clockRate(MediaFrame config) {
        try {
            return FramesToRtp.clockRate(config.codec(), config.payload());
        } catch (BitstreamException e) {
            return -1; // ingest checked it; a config that does not parse sends nothing
        }
    }
}
