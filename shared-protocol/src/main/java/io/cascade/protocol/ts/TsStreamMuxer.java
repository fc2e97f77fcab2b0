package io.cascade.protocol.ts;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;

import java.util.List;

/**
 * A live stream's frames as one continuous MPEG transport stream (ISO/IEC 13818-1), a frame at a time: what an MPEG-TS
 * push over UDP sends. Each call returns the frame's transport packets, made once and sent to every receiver of the
 * stream, so they carry nothing a receiver's own history decides:
 *
 * <ul>
 *   <li>they start with the PAT and the PMT ({@value #PSI_PACKETS} packets); a receiver sends them at its first frame, at
 *       keyframes and every 100 ms, and drops them from the other frames ({@link TsContinuity#psiDue});</li>
 *   <li>their continuity counters are placeholders that {@link TsContinuity#stamp} sets as they go out: receivers join
 *       at different frames and may skip some, so only the receiver knows what its counter is;</li>
 *   <li>no packet says that its counter or the clock restarts (no discontinuity_indicator): the counters the receiver
 *       gets do run on, and the timeline is continuous (the fan-out rebases it across republishes).</li>
 * </ul>
 *
 * <p>Layout as in {@link TsSegmentWriter}: the same PIDs and stream types, one PES per video access unit with the PCR
 * (DTS - 100 ms) in its first packet, one PES per AAC frame (with the PCR when there is no video). The PMT's
 * version_number changes when the tracks change (a republish with other codecs), so a receiver reads it again.
 * Not thread-safe: one stream's frames, in order.
 */
public final class TsStreamMuxer {
    public static final int PACKET_SIZE = TsPacketizer.PACKET_SIZE;
    /** The packets before each frame's own: its PAT and its PMT. */
    public static final int PSI_PACKETS = 2;
    private static final int CLOCK_90K = 90_000;

    private MediaFrame videoConfig;
    private MediaFrame audioConfig;
    /** Built from the configs at the first frame after they changed; null until then. */
    private Tracks tracks;
    private List<PsiSections.Stream> lastStreams;
    private int pmtVersion = -1;

    /** What the current configs allow: a converter per track that has a usable config, and the tables. */
    private record Tracks(AnnexBConverter video, TsSegmentWriter.AudioTrack audio, byte[] pat, byte[] pmt) {
    }

    /**
     * The frame's packets (PAT, PMT, then the frame's PES), or null for a frame that sends nothing: a decoder
     * configuration (kept for the frames that follow), a data frame, a frame of a track whose configuration has not
     * come or cannot be read, a frame this muxer cannot carry (a codec TS has no stream_type for here, an empty or
     * damaged access unit).
     *
     * @param timestampMillis the receivers' decode time for it: the frame's own, continued across republishes
     */
    public byte[] mux(MediaFrame frame, long timestampMillis) {
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
        if (tracks == null) {
            tracks = build();
            if (tracks == null) {
                return null;
            }
        }
        boolean video = frame.trackType() == TrackType.VIDEO;
        byte[] data = frame.payload();
        if ((video ? tracks.video() == null : tracks.audio() == null) || data.length == 0
                || data.length > TsSegmentWriter.MAX_SAMPLE_BYTES) {
            return null;
        }
        long shift = (timestampMillis - frame.dtsMillis()) * 90;
        long dts = to90k(frame.dts(), frame.timescale()) + shift;
        long pts = to90k(frame.pts(), frame.timescale()) + shift;
        long estimate = (long) data.length * PACKET_SIZE / 184 + 6L * PACKET_SIZE;
        TsPacketizer out = new TsPacketizer((int) Math.min(estimate, TsSegmentWriter.MAX_SEGMENT_BYTES),
                TsSegmentWriter.MAX_SEGMENT_BYTES, false);
        out.writeSection(TsSegmentWriter.PAT_PID, tracks.pat());
        out.writeSection(TsSegmentWriter.PMT_PID, tracks.pmt());
        try {
            if (video) {
                TsSegmentWriter.writeVideo(out, tracks.video(), TsSample.video(dts, pts, frame.isKeyframe(), data));
            } else {
                TsSegmentWriter.AudioRun run = new TsSegmentWriter.AudioRun(tracks.audio(), out, tracks.video() == null);
                run.add(TsSample.audio(pts, data));
                run.flushIfAny();
            }
        } catch (IllegalArgumentException e) {
            return null; // a damaged access unit: skipped, as every protocol skips what it cannot send
        }
        return out.toByteArray();
    }

    /** The publish ended: its configurations are forgotten; the next publish's come first. */
    public void reset() {
        videoConfig = null;
        audioConfig = null;
        tracks = null;
    }

    /** The tracks whose configuration can be read, or null when none can. */
    private Tracks build() {
        AnnexBConverter video = null;
        Codec videoCodec = null;
        if (videoConfig != null && (videoConfig.codec() == Codec.H264 || videoConfig.codec() == Codec.H265)) {
            try {
                video = TsSegmentWriter.videoConverter(videoConfig.codec(), videoConfig.payload());
                videoCodec = videoConfig.codec();
            } catch (IllegalArgumentException e) {
                video = null; // sent without video rather than not at all
            }
        }
        TsSegmentWriter.AudioTrack audio = null;
        if (audioConfig != null && audioConfig.codec() == Codec.AAC) {
            try {
                audio = TsSegmentWriter.AudioTrack.of(audioConfig.payload());
            } catch (IllegalArgumentException e) {
                audio = null;
            }
        }
        if (video == null && audio == null) {
            return null;
        }
        TsTrackConfig config = new TsTrackConfig(videoCodec, video == null ? null : videoConfig.payload(),
                audio == null ? null : Codec.AAC, audio == null ? null : audioConfig.payload());
        List<PsiSections.Stream> streams = TsSegmentWriter.streams(config);
        if (!streams.equals(lastStreams)) {
            pmtVersion = (pmtVersion + 1) & 0x1F;
            lastStreams = streams;
        }
        byte[] pat = PsiSections.pat(TsSegmentWriter.TRANSPORT_STREAM_ID, TsSegmentWriter.PROGRAM_NUMBER,
                TsSegmentWriter.PMT_PID);
        byte[] pmt = PsiSections.pmt(TsSegmentWriter.PROGRAM_NUMBER,
                video != null ? TsSegmentWriter.VIDEO_PID : TsSegmentWriter.AUDIO_PID, streams, pmtVersion);
        return new Tracks(video, audio, pat, pmt);
    }

    private static long to90k(long t, int timescale) {
        return timescale == CLOCK_90K ? t : Math.floorDiv(t * CLOCK_90K, timescale);
    }
}
