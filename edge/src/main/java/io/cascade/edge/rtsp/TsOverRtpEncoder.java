package io.cascade.edge.rtsp;

import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.rtp.RtcpPacket;
import io.cascade.protocol.rtp.RtpPacket;
import io.cascade.protocol.sdp.SdpFormats;
import io.cascade.protocol.ts.TsSample;
import io.cascade.protocol.ts.TsSegmentWriter;
import io.cascade.protocol.ts.TsTrackConfig;

import java.security.SecureRandom;
import java.util.List;

/**
 * A stream's frames as one MPEG transport stream over RTP (payload type 33, RFC 2250), as EMS serves
 * {@code /ts/<stream>}: each frame becomes a small run of transport packets, seven to an RTP packet. Each run starts
 * with the PAT and PMT and marks each PID's first packet as a discontinuity, the TS way of saying its continuity
 * counter starts again, so a player can join at any run and no state crosses frames but the RTP sequence.
 */
final class TsOverRtpEncoder implements FrameEncoder {
    /** Transport packets per RTP packet: 7 x 188 = 1316 bytes, under a 1500-byte MTU with the headers. */
    static final int TS_PACKETS_PER_RTP = 7;
    private static final int TS_PACKET = 188;
    private static final int CLOCK_90K = 90_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int channel;
    private final long ssrc = RANDOM.nextInt() & 0xFFFFFFFFL;
    private final long timestampOffset = RANDOM.nextInt() & 0xFFFFFFFFL;
    private final InterleavedRecords records = new InterleavedRecords();
    private int sequence = RANDOM.nextInt(0x10000);
    /** What a sender report counts: packets and payload bytes sent, and the media time of the last. */
    private long packets;
    private long octets;
    private long lastDtsMillis;
    private MediaFrame videoConfig;
    private MediaFrame audioConfig;
    private TsTrackConfig tracks;

    TsOverRtpEncoder(int channel) {
        this.channel = channel;
    }

    @Override
    public byte[] encode(MediaFrame frame, long timestampMillis) {
        if (frame.trackType() == TrackType.DATA) {
            return null;
        }
        if (frame.isConfig()) {
            if (frame.trackType() == TrackType.VIDEO) {
                videoConfig = frame;
            } else {
                audioConfig = frame;
            }
            tracks = null;
            return null;
        }
        boolean video = frame.trackType() == TrackType.VIDEO;
        if (video ? videoConfig == null : audioConfig == null) {
            return null;
        }
        if (tracks == null) {
            tracks = new TsTrackConfig(videoConfig == null ? null : videoConfig.codec(),
                    videoConfig == null ? null : videoConfig.payload(),
                    audioConfig == null ? null : Codec.AAC, audioConfig == null ? null : audioConfig.payload());
        }
        long shift = (timestampMillis - frame.dtsMillis()) * 90; // the viewer's timeline across republishes
        long dts = to90k(frame.dts(), frame.timescale()) + shift;
        long pts = to90k(frame.pts(), frame.timescale()) + shift;
        byte[] ts;
        try {
            ts = TsSegmentWriter.segment(tracks, List.of(new TsSample(video, dts, pts, frame.isKeyframe(),
                    frame.payload())));
        } catch (IllegalArgumentException e) {
            return null; // a frame the muxer cannot carry: skipped, as any protocol skips what it cannot send
        }
        long rtpTime = (dts + timestampOffset) & 0xFFFFFFFFL;
        for (int off = 0; off < ts.length; off += TS_PACKETS_PER_RTP * TS_PACKET) {
            int len = Math.min(TS_PACKETS_PER_RTP * TS_PACKET, ts.length - off);
            byte[] packet = new byte[RtpPacket.HEADER_LENGTH + len];
            RtpPacket.writeHeader(packet, 0, off + len == ts.length, SdpFormats.MP2T_PAYLOAD_TYPE, sequence, rtpTime, ssrc);
            System.arraycopy(ts, off, packet, RtpPacket.HEADER_LENGTH, len);
            records.add(channel, packet);
            sequence = (sequence + 1) & 0xFFFF;
            packets++;
            octets += len;
        }
        lastDtsMillis = Math.floorDiv(dts, 90);
        return records.take();
    }

    /** The RTP-Info at {@code startMillis} of media time: the next packet's sequence number and the RTP time there. */
    io.cascade.rtsp.RtspVodSession.RtpStart start(long startMillis) {
        return new io.cascade.rtsp.RtspVodSession.RtpStart(sequence,
                (startMillis * 90 + timestampOffset) & 0xFFFFFFFFL);
    }

    /**
     * The track's last RTCP (SR, CNAME, BYE) as an interleaved record: the end of the stream for its players. The
     * report places the last packet's time at {@code anchorMillis} plus its media time.
     */
    byte[] bye(long anchorMillis, String reason) {
        long ntp = RtcpPacket.ntpFromEpochMillis(anchorMillis + lastDtsMillis);
        records.add(channel + 1, RtcpPacket.encodeBye(ssrc, new RtcpPacket.SenderReport(ssrc, ntp,
                (lastDtsMillis * 90 + timestampOffset) & 0xFFFFFFFFL, packets & 0xFFFFFFFFL, octets & 0xFFFFFFFFL,
                java.util.List.of()), RtpEncoder.CNAME, reason));
        return records.take();
    }

    private static long to90k(long t, int timescale) {
        return timescale == CLOCK_90K ? t : Math.floorDiv(t * CLOCK_90K, timescale);
    }
}
