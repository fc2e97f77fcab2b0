package io.cascade.protocol.rtp.frames;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.NalUnits;
import io.cascade.protocol.h265.HevcDecoderConfig;
import io.cascade.protocol.rtp.RtcpPacket;
import io.cascade.protocol.rtp.RtpPacket;
import io.cascade.protocol.rtp.payload.AacHbrPacketizer;
import io.cascade.protocol.rtp.payload.H264Packetizer;
import io.cascade.protocol.rtp.payload.H265Packetizer;
import io.cascade.protocol.rtp.payload.Packetizer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The RTP packets of one track of a stream for one player: the from-frames half of RTP playback. Frames become packets
 * with this sender's SSRC and sequence numbers, and RTP timestamps taken from the frames' presentation times at the
 * payload format's clock rate plus a random-looking offset chosen by the caller.
 *
 * <p>Config frames send nothing (the player has them from the SDP) but are remembered: their parameter sets go in band
 * before every H.264/H.265 keyframe that does not carry its own, so a player can decode after a configuration change
 * too. {@link #senderReport} writes the SR that lets a player align this track with the others on the wall clock.
 * Not thread-safe: one instance per player track.
 */
public final class FramesToRtp {
    public static final int VIDEO_CLOCK_RATE = 90000;

    private final Codec codec;
    private final int payloadType;
    private final int clockRate;
    private final long ssrc;
    private final long timestampOffset;
    /** Added to the frames' times: where the viewer's timeline continues across a republish (see {@link #shift}). */
    private long shiftTicks;
    private final Packetizer packetizer;
    private int sequence;
    private long packets;
    private long octets;
    /** Parameter sets of the last config frame as a 4-byte-length unit, sent before keyframes that lack them. */
    private byte[] parameterSets = new byte[0];
    private boolean sent;
    private long lastTimestamp;
    private long lastPtsMillis;

    /**
     * @param clockRate       the RTP clock rate the SDP announces ({@link #clockRate(Codec, byte[])})
     * @param firstSequence   sequence number of the first packet (random, as RFC 3550 asks; RTSP tells it in RTP-Info)
     * @param timestampOffset added to every timestamp (random too), 0..2^32-1
     * @param maxPayload      payload bytes per packet ({@link Packetizer#DEFAULT_MAX_PAYLOAD})
     */
    public FramesToRtp(Codec codec, int payloadType, int clockRate, long ssrc, int firstSequence, long timestampOffset,
                       int maxPayload) {
        if (payloadType < 0 || payloadType > 127 || clockRate <= 0 || firstSequence < 0 || firstSequence > 0xFFFF
                || ssrc < 0 || ssrc > 0xFFFFFFFFL || timestampOffset < 0 || timestampOffset > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("RTP sender parameters out of range");
        }
        this.codec = codec;
        this.payloadType = payloadType;
        this.clockRate = clockRate;
        this.ssrc = ssrc;
        this.sequence = firstSequence;
        this.timestampOffset = timestampOffset;
        this.packetizer = switch (codec) {
            case H264 -> new H264Packetizer(maxPayload, true);
            case H265 -> new H265Packetizer(maxPayload, true);
            case AAC -> new AacHbrPacketizer(maxPayload);
            default -> throw new IllegalArgumentException(codec + " is not carried over RTP");
        };
    }

    /** The clock rate a track is announced with: 90 kHz for video, the sampling rate of its AudioSpecificConfig for AAC. */
    public static int clockRate(Codec codec, byte[] config) throws BitstreamException {
        if (codec == Codec.AAC) {
            return AudioSpecificConfig.parse(config, 0, config.length).sampleRate();
        }
        return VIDEO_CLOCK_RATE;
    }

    /** The RTP timestamp of a frame: its presentation time at the clock rate, plus the offset, on 32 bits. */
    public long rtpTimestamp(MediaFrame f) {
        long t = f.timescale() == clockRate ? f.pts() : Math.floorDiv(f.pts() * clockRate, f.timescale());
        return (t + shiftTicks + timestampOffset) & 0xFFFFFFFFL;
    }

    /**
     * Moves the frames that follow by {@code millis} on the RTP clock: a player's timeline must go on where it was when
     * the next publish's frames start again near 0 (sequence numbers go on by themselves).
     */
    public void shift(long millis) {
        shiftTicks = Math.floorDiv(millis * clockRate, 1000);
    }

    /** The packets of a frame, ready to send (empty for config frames). */
    public List<byte[]> packets(MediaFrame f) {
        if (f.codec() != codec) {
            throw new IllegalArgumentException(f.codec() + " frame on a " + codec + " track");
        }
        if (f.isConfig()) {
            parameterSets = parameterSets(f.payload());
            return List.of();
        }
        byte[] unit = f.payload();
        if (f.isKeyframe() && codec != Codec.AAC && parameterSets.length > 0 && !hasParameterSets(unit)) {
            byte[] withSets = new byte[parameterSets.length + unit.length];
            System.arraycopy(parameterSets, 0, withSets, 0, parameterSets.length);
            System.arraycopy(unit, 0, withSets, parameterSets.length, unit.length);
            unit = withSets;
        }
        List<byte[]> payloads = packetizer.packetize(unit);
        long ts = rtpTimestamp(f);
        List<byte[]> out = new ArrayList<>(payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            byte[] payload = payloads.get(i);
            byte[] wire = new byte[RtpPacket.HEADER_LENGTH + payload.length];
            RtpPacket.writeHeader(wire, 0, i == payloads.size() - 1, payloadType, sequence, ts, ssrc);
            System.arraycopy(payload, 0, wire, RtpPacket.HEADER_LENGTH, payload.length);
            out.add(wire);
            sequence = (sequence + 1) & 0xFFFF;
            packets++;
            octets += payload.length;
        }
        if (!out.isEmpty()) {
            sent = true;
            lastTimestamp = ts;
            lastPtsMillis = Math.floorDiv(f.pts() * 1000, f.timescale());
        }
        return out;
    }

    /**
     * The compound sender report (SR and CNAME) for what was sent so far, or null before the first packet. The last frame
     * sent is placed on the wall clock at {@code anchorMillis} (the epoch milliseconds at media time 0, as
     * {@link MediaFrame#clockAnchorMillis()} gives it) plus its presentation time.
     */
    public byte[] senderReport(long anchorMillis, String cname) {
        if (!sent) {
            return null;
        }
        return RtcpPacket.encodeSenderReport(ssrc, RtcpPacket.ntpFromEpochMillis(anchorMillis + lastPtsMillis),
                lastTimestamp, packets & 0xFFFFFFFFL, octets & 0xFFFFFFFFL, List.of(), cname);
    }

    /**
     * The compound packet that ends this track (SR, CNAME, BYE with {@code reason}): what a player reads as the end of
     * the stream, as at the end of a file played on demand.
     */
    public byte[] bye(long anchorMillis, String cname, String reason) {
        RtcpPacket.SenderReport report = sent ? new RtcpPacket.SenderReport(ssrc,
                RtcpPacket.ntpFromEpochMillis(anchorMillis + lastPtsMillis), lastTimestamp, packets & 0xFFFFFFFFL,
                octets & 0xFFFFFFFFL, List.of()) : null;
        return RtcpPacket.encodeBye(ssrc, report, cname, reason);
    }

    public Codec codec() {
        return codec;
    }

    public int clockRate() {
        return clockRate;
    }

    /** Sequence number of the next packet (for RTSP's RTP-Info). */
    public int nextSequence() {
        return sequence;
    }

    public long packetCount() {
        return packets;
    }

    /** Payload bytes sent, as the SR counts them. */
    public long octetCount() {
        return octets;
    }

    private byte[] parameterSets(byte[] config) {
        List<byte[]> sets = new ArrayList<>();
        try {
            if (codec == Codec.H264) {
                AvcDecoderConfig c = AvcDecoderConfig.parse(config, 0, config.length);
                sets.addAll(c.sps());
                sets.addAll(c.pps());
            } else if (codec == Codec.H265) {
                HevcDecoderConfig c = HevcDecoderConfig.parse(config, 0, config.length);
                sets.addAll(c.vps());
                sets.addAll(c.sps());
                sets.addAll(c.pps());
            }
        } catch (BitstreamException e) {
            return new byte[0]; // ingest validated it; if not, keyframes go out as they are
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] s : sets) {
            out.write(s.length >>> 24);
            out.write(s.length >>> 16);
            out.write(s.length >>> 8);
            out.write(s.length);
            out.write(s, 0, s.length);
        }
        return out.toByteArray();
    }

    private boolean hasParameterSets(byte[] unit) {
        boolean[] found = {false};
        NalUnits.visit(unit, (off, len) -> {
            int type = codec == Codec.H264 ? NalUnits.h264Type(unit[off]) : NalUnits.h265Type(unit[off]);
            if (codec == Codec.H264 ? type == 7 : type == 33) {
                found[0] = true;
            }
        });
        return found[0];
    }
}
